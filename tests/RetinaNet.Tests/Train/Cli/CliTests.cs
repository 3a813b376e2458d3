using System.Text.Json.Nodes;
using RetinaNet.Core;

namespace RetinaNet.Tests.Train.Cli;

/// <summary>
/// The retinanet program end to end on tiny datasets: train, resume, convert, evaluate, predict, debug, inspect,
/// and one-line errors for bad input. A light backbone keeps each run to seconds.
/// </summary>
[NonParallelizable]
public class CliTests
{
    string root = null!;
    static readonly string[] Light = { "--backbone", "resnet18_8", "--feature-size", "16", "--image-min-side", "96", "--image-max-side", "96", "--batch-size", "2", "--seed", "1" };

    [SetUp]
    public void MakeFolder() => root = Directory.CreateTempSubdirectory("cli").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(root, true);

    string[] TrainArgs(params string[] dataset) =>
        new[] { "train" }.Concat(dataset).Concat(Light).Concat(new[] { "--epochs", "2", "--steps", "2", "--snapshot-path", Path.Combine(root, "snapshots"), "--lr", "1e-3" }).ToArray();

    [Test]
    public void Csv_TrainsWithAnEmptyImageRow_ThenResumes_ConvertsEvaluatesPredictsDebugsAndInspects()
    {
        var (annotations, classes) = TinyDatasets.Csv(Path.Combine(root, "data"));
        var (code, stdout, stderr) = CliRunner.Run(TrainArgs("csv", annotations, classes, "--val-annotations", annotations, "--report", Path.Combine(root, "epochs")));
        Assert.That(code, Is.Zero, stderr + stdout);
        Assert.That(File.Exists(Path.Combine(root, "epochs", "epoch_01", "report.json")) && File.Exists(Path.Combine(root, "epochs", "epoch_02", "pr_curve.png")),
            Is.True, "train --report writes a report per epoch");
        var snapshot = Path.Combine(root, "snapshots", "resnet18_8_csv_02.h5");
        Assert.That(File.Exists(Path.Combine(root, "snapshots", "resnet18_8_csv_01.h5")) && File.Exists(snapshot), Is.True, stdout);
        Assert.That(stdout, Does.Contain("mAP"));
        var log = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "snapshots", "training_log.json")))!.AsArray();
        Assert.That(log.Select(e => e!["epoch"]!.GetValue<double>()), Is.EqualTo(new[] { 1.0, 2.0 }));

        // Resume: the epoch count continues and the optimizer state (iterations) comes back from the snapshot.
        var iterationsBefore = keras.models.load_model(snapshot, RetinaNet.Layers.CustomObjects.WithResNet()).optimizer!.iterations;
        Assert.That(iterationsBefore, Is.EqualTo(4));
        (code, stdout, stderr) = CliRunner.Run(new[] { "train", "csv", annotations, classes }.Concat(Light).Concat(new[]
            { "--snapshot", snapshot, "--initial-epoch", "2", "--epochs", "3", "--steps", "2", "--snapshot-path", Path.Combine(root, "snapshots"), "--no-evaluation" }).ToArray());
        Assert.That(code, Is.Zero, stderr + stdout);
        var resumed = Path.Combine(root, "snapshots", "resnet18_8_csv_03.h5");
        Assert.That(File.Exists(resumed), Is.True);
        Assert.That(keras.models.load_model(resumed, RetinaNet.Layers.CustomObjects.WithResNet()).optimizer!.iterations, Is.EqualTo(6));

        var inference = Path.Combine(root, "inference.h5");
        (code, stdout, stderr) = CliRunner.Run("convert-model", resumed, inference, "--backbone", "resnet18_8");
        Assert.That(code, Is.Zero, stderr);

        (code, stdout, stderr) = CliRunner.Run("evaluate", "csv", annotations, classes, inference, "--backbone", "resnet18_8",
            "--image-min-side", "96", "--image-max-side", "96", "--save-path", Path.Combine(root, "drawn"), "--report", Path.Combine(root, "report"));
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("mAP: ").And.Contain("instances of class").And.Contain("Report written to"));
        Assert.That(Directory.GetFiles(Path.Combine(root, "drawn"), "*.png"), Is.Not.Empty);
        foreach (var name in new[] { "report.json", "per_class.csv", "pr_curve.png", "confusion_matrix.png", "error_breakdown.png" })
            Assert.That(File.Exists(Path.Combine(root, "report", name)), Is.True, name);

        var image = Path.Combine(root, "data", "images", "img0.jpg");
        (code, stdout, stderr) = CliRunner.Run("predict", inference, image, "--backbone", "resnet18_8", "--classes", classes,
            "--score-threshold", "0", "--image-min-side", "96", "--image-max-side", "96", "--save-path", Path.Combine(root, "predicted"));
        Assert.That(code, Is.Zero, stderr);
        var predictions = JsonNode.Parse(stdout)!.AsArray();
        Assert.That(predictions[0]!["image"]!.GetValue<string>(), Is.EqualTo(image));
        Assert.That(predictions[0]!["detections"]!.AsArray(), Is.Not.Empty, "score threshold 0 keeps every detection");
        Assert.That(File.Exists(Path.Combine(root, "predicted", "img0.png")), Is.True);

        // A training model is refused by predict unless converted on the fly.
        (code, _, stderr) = CliRunner.Run("predict", resumed, image, "--backbone", "resnet18_8");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("training model").And.Contain("convert-model"));
        (code, _, stderr) = CliRunner.Run("predict", resumed, image, "--backbone", "resnet18_8", "--convert-model", "--image-min-side", "96", "--image-max-side", "96");
        Assert.That(code, Is.Zero, stderr);

        (code, stdout, stderr) = CliRunner.Run("debug", "csv", annotations, classes, "--anchors", "--show-annotations",
            "--image-min-side", "96", "--image-max-side", "96", "--output-dir", Path.Combine(root, "debug"), "--flatten-output");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(Directory.GetFiles(Path.Combine(root, "debug"), "*_debug.png"), Has.Length.EqualTo(5));

        (code, stdout, stderr) = CliRunner.Run("inspect", resumed);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("RetinaNet training model").And.Contain("UpsampleLike").And.Contain("BatchNormalization (keras-resnet"));
        (code, stdout, _) = CliRunner.Run("inspect", inference);
        Assert.That(stdout, Does.Contain("RetinaNet inference model").And.Contain("FilterDetections"));
    }

    [Test]
    public void Diagnose_WritesASuggestedConfig_ThatTrainAccepts()
    {
        var (annotations, classes) = TinyDatasets.Csv(Path.Combine(root, "data"));
        var output = Path.Combine(root, "diagnosis");
        var (code, stdout, stderr) = CliRunner.Run("diagnose", "csv", annotations, classes, "--image-min-side", "96", "--image-max-side", "96",
            "--output", output, "--iterations", "50");
        Assert.That(code, Is.Zero, stderr + stdout);
        Assert.That(stdout, Does.Contain("anchors reach (IoU >= 0.5)").And.Contain("Suggested anchors:").And.Contain("images have no annotations"));
        var config = Path.Combine(output, "suggested_anchors.ini");
        Assert.That(File.Exists(Path.Combine(output, "box_sizes.png")) && File.Exists(Path.Combine(output, "box_aspects.png")), Is.True);

        (code, stdout, stderr) = CliRunner.Run(new[] { "train", "csv", annotations, classes }.Concat(Light).Concat(new[]
            { "--config", config, "--epochs", "1", "--steps", "1", "--no-evaluation", "--snapshot-path", Path.Combine(root, "snapshots") }).ToArray());
        Assert.That(code, Is.Zero, stderr + stdout);
        Assert.That(File.Exists(Path.Combine(root, "snapshots", "resnet18_8_csv_01.h5")), Is.True);
    }

    [Test]
    public void Pascal_And_Coco_Train_AndEvaluate()
    {
        var voc = TinyDatasets.Pascal(Path.Combine(root, "voc"));
        var (code, stdout, stderr) = CliRunner.Run(TrainArgs("pascal", voc));
        Assert.That(code, Is.Zero, stderr + stdout);
        Assert.That(File.Exists(Path.Combine(root, "snapshots", "resnet18_8_pascal_02.h5")), Is.True);

        var coco = TinyDatasets.Coco(Path.Combine(root, "coco"));
        (code, stdout, stderr) = CliRunner.Run(TrainArgs("coco", coco));
        Assert.That(code, Is.Zero, stderr + stdout);
        var snapshot = Path.Combine(root, "snapshots", "resnet18_8_coco_02.h5");
        (code, stdout, stderr) = CliRunner.Run("evaluate", "coco", coco, snapshot, "--convert-model", "--backbone", "resnet18_8",
            "--image-min-side", "96", "--image-max-side", "96");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]"));
    }

    [Test]
    public void OpenImages_And_Kitti_Train_Evaluate_AndDebug()
    {
        var oid = TinyDatasets.OpenImages(Path.Combine(root, "oid"));
        var cache = Directory.CreateDirectory(Path.Combine(root, "cache")).FullName;
        var (code, stdout, stderr) = CliRunner.Run(TrainArgs("oid", oid, "--annotation-cache-dir", cache, "--version", "v4"));
        Assert.That(code, Is.Zero, stderr + stdout);
        Assert.That(stdout, Does.Contain("mAP"));
        var snapshot = Path.Combine(root, "snapshots", "resnet18_8_oid_02.h5");
        Assert.That(File.Exists(snapshot), Is.True, stdout);
        Assert.That(File.Exists(Path.Combine(cache, "train.json")) && File.Exists(Path.Combine(cache, "validation.json")), Is.True,
            "parsed annotations cached as keras-retinanet does");
        (code, stdout, stderr) = CliRunner.Run("evaluate", "oid", oid, snapshot, "--annotation-cache-dir", cache, "--convert-model",
            "--backbone", "resnet18_8", "--image-min-side", "96", "--image-max-side", "96");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("mAP: ").And.Contain("instances of class Ball"));
        (code, _, stderr) = CliRunner.Run("debug", "oid", oid, "validation", "--annotation-cache-dir", cache, "--labels-filter", "Ball,Box",
            "--image-min-side", "96", "--image-max-side", "96", "--output-dir", Path.Combine(root, "debug-oid"), "--flatten-output");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(Directory.GetFiles(Path.Combine(root, "debug-oid"), "*_debug.png"), Is.Not.Empty);

        // keras-retinanet's argparse order: the shared options before the dataset sub-command.
        var kitti = TinyDatasets.Kitti(Path.Combine(root, "kitti"));
        (code, stdout, stderr) = CliRunner.Run(TrainArgs().Concat(new[] { "kitti", kitti }).ToArray());
        Assert.That(code, Is.Zero, stderr + stdout);
        snapshot = Path.Combine(root, "snapshots", "resnet18_8_kitti_02.h5");
        Assert.That(File.Exists(snapshot), Is.True, stdout);
        (code, stdout, stderr) = CliRunner.Run("evaluate", "kitti", kitti, snapshot, "--convert-model", "--backbone", "resnet18_8",
            "--image-min-side", "96", "--image-max-side", "96");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("mAP: ").And.Contain("instances of class Car"));
        (code, _, stderr) = CliRunner.Run("debug", "--image-min-side", "96", "--image-max-side", "96",
            "--output-dir", Path.Combine(root, "debug-kitti"), "kitti", kitti, "val", "--flatten-output");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(Directory.GetFiles(Path.Combine(root, "debug-kitti"), "*_debug.png"), Has.Length.EqualTo(4));
    }

    [Test]
    public void BadKittiLabel_And_UnknownOidVersion_GiveOneLineErrors()
    {
        var kitti = TinyDatasets.Kitti(Path.Combine(root, "kitti"), count: 1);
        var label = Path.Combine(kitti, "train", "labels", "000000.txt");
        File.AppendAllText(label, "Bicycle 0.00 0 -1.57 1 2 3 4 1.5 1.6 3.7 -3 1.5 20 -1.57\n");
        var (code, _, stderr) = CliRunner.Run(TrainArgs("kitti", kitti));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.Contain(label).And.Contain("unknown type 'Bicycle'").And.Contain("line "));

        var oid = TinyDatasets.OpenImages(Path.Combine(root, "oid"), count: 1);
        (code, _, stderr) = CliRunner.Run(TrainArgs("oid", oid, "--version", "v2", "--annotation-cache-dir", root));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("no implementation for versions older than v3").And.Not.Contain("   at "));
    }

    [TestCase("x1,y1,x2,y2", "line 1: malformed x1: invalid literal for int() with base 10: 'x1'")]
    [TestCase("210.0,10,50,50", "line 1: malformed x1: invalid literal for int() with base 10: '210.0'")]
    [TestCase("50,10,40,50", "line 1: x2 (40) must be higher than x1 (50)")]
    public void BadCsv_GivesOneLineNamingFileAndLine_AndExitsNonZero(string coordinates, string expected)
    {
        var (annotations, classes) = TinyDatasets.Csv(Path.Combine(root, "data"), count: 1);
        File.WriteAllText(annotations, $"images/img0.jpg,{coordinates},circle\n");
        var (code, stdout, stderr) = CliRunner.Run(TrainArgs("csv", annotations, classes));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.Contain(expected).And.Contain(annotations));
        Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public void MissingModelFile_And_NotHdf5_GiveOneLineErrors()
    {
        var (code, _, stderr) = CliRunner.Run("inspect", Path.Combine(root, "missing.h5"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("missing.h5").And.Not.Contain("   at "));
        var text = Path.Combine(root, "notes.h5");
        File.WriteAllText(text, "not an HDF5 file");
        (code, _, stderr) = CliRunner.Run("convert-model", text, Path.Combine(root, "out.h5"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(stderr, Does.Contain("notes.h5"));
    }
}
