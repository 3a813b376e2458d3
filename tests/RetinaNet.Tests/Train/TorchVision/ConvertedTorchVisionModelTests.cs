using System.Globalization;
using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Layers.TorchVision;
using RetinaNet.Tests.Layers.Onnx;
using RetinaNet.Tests.Layers.TorchVision;
using RetinaNet.Tests.Train.Cli;
using RetinaNet.Train.Cli;
using RetinaNet.Train.Inference;
using RetinaNet.Train.Preprocessing;
using RetinaNet.Train.Utils;

namespace RetinaNet.Tests.Train.TorchVision;

/// <summary>
/// A file written by convert-torchvision is a normal model of ours: <c>predict</c> and <c>evaluate</c> on it give the
/// detections of the C# TorchVision path (<see cref="TorchVisionDetector"/>, proven equal to torchvision 0.14 by
/// TorchVisionDetectionTests): torchvision's resize, normalisation, padding, anchors, box coder and post-processing,
/// chosen by the file itself.
/// </summary>
[NonParallelizable]
public class ConvertedTorchVisionModelTests
{
    string folder = "";

    [SetUp]
    public void CreateFolder() => folder = Directory.CreateTempSubdirectory("rn-tv").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(folder, true);

    static string Side(int v) => v.ToString(CultureInfo.InvariantCulture);

    [TestCase(TorchVisionVariant.V1)]
    [TestCase(TorchVisionVariant.V2)]
    public void Predict_OnAConvertedFile_GivesTheTorchVisionPathsDetections(TorchVisionVariant variant)
    {
        var (path, image) = ConvertedTorchVisionModels.Shared(variant);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var json = Path.Combine(folder, "out.json");
        var (code, _, stderr) = CliRunner.Run("predict", path, image, "--convert-model", "--score-threshold", "0",
            "--image-min-side", Side(ConvertedTorchVisionModels.MinSize), "--image-max-side", Side(ConvertedTorchVisionModels.MaxSize), "--output", json);
        Assert.That(code, Is.EqualTo(0), stderr);
        TestContext.Out.WriteLine($"predict took {clock.Elapsed.TotalSeconds:F1} s");
        var found = JsonNode.Parse(File.ReadAllText(json))!.AsArray()[0]!["detections"]!.AsArray();
        var ours = new OnnxComparison.Outputs(
            found.SelectMany(d => new[] { "x1", "y1", "x2", "y2" }.Select(k => (float)d![k]!.GetValue<double>())).ToArray(),
            found.Select(d => (float)d!["score"]!.GetValue<double>()).ToArray(), found.Select(d => d!["label"]!.GetValue<int>()).ToArray());
        var reference = ConvertedTorchVisionModels.Reference(ConvertedTorchVisionModels.Load(path), image);
        Assert.That(OnnxComparison.AssertSameDetections(reference, ours, boxTolerance: 1e-3, scoreTolerance: 1e-5), Is.GreaterThanOrEqualTo(50));
    }

    [Test]
    public void Evaluate_OnAConvertedFile_SeesTheTorchVisionPathsDetections_AndReportsMap()
    {
        var (path, image) = ConvertedTorchVisionModels.Shared(TorchVisionVariant.V1);
        var annotations = Path.Combine(folder, "annotations.csv");
        File.Copy(image, Path.Combine(folder, "image.png"));
        var classes = Path.Combine(folder, "classes.csv");
        File.WriteAllText(annotations, "image.png,10,12,60,80,a\nimage.png,30,40,85,90,c\n");
        File.WriteAllText(classes, "a,0\nb,1\nc,2\n");
        var sizing = new ImageSizing(ConvertedTorchVisionModels.MinSize, ConvertedTorchVisionModels.MaxSize);

        // What evaluate does: load, convert, and read the model's own input rules.
        var network = ModelLoading.LoadInference(path, "resnet50", convert: true, config: null, sizing);
        var (mode, imageSizing) = ModelLoading.InputFor(network, "resnet50", sizing);
        Assert.That((mode, imageSizing.no_resize), Is.EqualTo(("torchvision", true)));
        var generator = new CsvGenerator(annotations, classes, options: new GeneratorOptions
        {
            image_sizing = imageSizing, shuffle_groups = false, preprocess_image = x => ImagePreprocessing.preprocess_image(x, mode),
        });
        var output = Detector.For(generator, network).predict(generator.load_image(0));
        var ours = new OnnxComparison.Outputs(output.boxes.Select(v => (float)v).ToArray(), output.scores.Select(v => (float)v).ToArray(), output.labels);
        var reference = ConvertedTorchVisionModels.Reference(network.layers.OfType<Model>().Single(), image);
        var count = reference.Labels.Length;
        Assert.That(ours.Labels.Count(l => l >= 0), Is.EqualTo(count));
        var real = new OnnxComparison.Outputs(ours.Boxes.Take(4 * count).ToArray(), ours.Scores.Take(count).ToArray(), ours.Labels.Take(count).ToArray());
        Assert.That(OnnxComparison.AssertSameDetections(reference, real, boxTolerance: 1e-3, scoreTolerance: 1e-5), Is.GreaterThanOrEqualTo(50));

        var (code, stdout, stderr) = CliRunner.Run("evaluate", "csv", annotations, classes, path, "--convert-model",
            "--image-min-side", Side(ConvertedTorchVisionModels.MinSize), "--image-max-side", Side(ConvertedTorchVisionModels.MaxSize));
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("mAP"));
    }

    [Test]
    public void TrainSnapshot_OnAConvertedFile_FineTunesWithTorchVisionsLosses_AndSavesALoadableSnapshot()
    {
        var (path, image) = ConvertedTorchVisionModels.Shared(TorchVisionVariant.V1);
        File.Copy(image, Path.Combine(folder, "image.png"));
        var annotations = Path.Combine(folder, "annotations.csv");
        var classes = Path.Combine(folder, "classes.csv");
        File.WriteAllText(annotations, "image.png,10,12,60,80,a\nimage.png,70,30,130,90,c\n");
        File.WriteAllText(classes, "a,0\nb,1\nc,2\n");
        var snapshots = Path.Combine(folder, "snapshots");
        // One image: every step sees the same batch, so the loss must fall.
        var (code, stdout, stderr) = CliRunner.Run("train", "--snapshot", path, "--epochs", "2", "--steps", "3", "--lr", "1e-4",
            "--image-min-side", "96", "--image-max-side", "140", "--no-evaluation", "--workers", "1", "--snapshot-path", snapshots,
            "csv", annotations, classes);
        Assert.That(code, Is.EqualTo(0), stdout + stderr);
        var log = File.ReadAllLines(Path.Combine(snapshots, "training_log.csv"));
        var header = log[0].Split(',');
        double Loss(int epoch, string name) => double.Parse(log[1 + epoch].Split(',')[Array.IndexOf(header, name)], CultureInfo.InvariantCulture);
        TestContext.Out.WriteLine(string.Join("\n", log));
        Assert.That(Loss(1, "loss"), Is.LessThan(Loss(0, "loss")), "the loss falls from the first epoch to the second");
        var snapshot = Directory.GetFiles(snapshots, "*_02.h5").Single();
        var reloaded = keras.models.load_model(snapshot, RetinaNet.Layers.CustomObjects.WithResNet());
        Assert.That(TorchVisionRetinaNet.RecipeOf(reloaded)?.variant, Is.EqualTo(TorchVisionVariant.V1));
        Assert.That(reloaded.losses["regression"], Is.TypeOf<TorchVisionBoxLoss>());
        Assert.That(reloaded.losses["classification"], Is.TypeOf<TorchVisionFocal>());
    }

    [Test]
    public void Export_OfAConvertedFile_WritesAGraphThatResizesInside_WithTorchVisionsNormalisation()
    {
        var (path, _) = ConvertedTorchVisionModels.Shared(TorchVisionVariant.V1);
        var onnx = Path.Combine(folder, "model.onnx");
        var (code, stdout, stderr) = CliRunner.Run("export", path, onnx, "--from-training-model");
        Assert.That(code, Is.EqualTo(0), stdout + stderr);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.That(metadata[RetinaNet.Layers.Onnx.RetinaNetOnnx.PreprocessModeKey], Is.EqualTo("torchvision"));
        Assert.That(metadata[RetinaNet.Layers.Onnx.RetinaNetOnnx.ResizesInsideKey], Is.EqualTo("true"));
        Assert.That(session.OutputMetadata.Keys, Is.EqualTo(new[] { "boxes", "scores", "labels" }));
    }
}
