using RetinaNet.Core;
using RetinaNet.Layers;
using RetinaNet.Tests.Notebooks;
using RetinaNet.Tests.Packaging;
using RetinaNet.Tests.Train.Cli;

namespace RetinaNet.Tests.Samples;

/// <summary>
/// Runs every C# sample in <c>samples/</c> as a user would, <c>dotnet run samples/X.cs -- args</c> from the
/// repository root, on small inputs made here (a tiny model, a few 96×96 images), and checks what it prints.
/// </summary>
[NonParallelizable]
public class SampleTests
{
    static readonly TimeSpan Limit = TimeSpan.FromMinutes(8);
    static readonly string[] TinyModelFlags = { "--image-side", "96" };
    string root = null!;

    [SetUp]
    public void MakeFolder() => root = Directory.CreateTempSubdirectory("sample").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(root, true);

    static string RunSample(string sample, params string[] args) =>
        DotnetCommand.Succeed(NotebookFiles.RepositoryRoot, Limit,
            new[] { "run", Path.Combine("samples", sample), "--" }.Concat(args).ToArray());

    /// <summary>A small keras-retinanet training model (ResNet-18 at width 8, 4 classes) saved as <c>.h5</c>.</summary>
    string TinyTrainingModel(string fileName)
    {
        keras.backend.clear_session();
        var path = Path.Combine(root, fileName);
        models.backbone("resnet18_8").retinanet(num_classes: 4, options: new RetinaNetOptions { feature_size = 8, head_feature_size = 8 })
            .save(path);
        return path;
    }

    [Test]
    public void AllSamples_HaveATest()
    {
        var samples = Directory.GetFiles(Path.Combine(NotebookFiles.RepositoryRoot, "samples"), "*.cs").Select(Path.GetFileName).Order();
        Assert.That(samples, Is.EqualTo(new[] { "custom_layer.cs", "detect.cs", "load_keras_retinanet.cs", "train.cs" }),
            "a new sample needs a test here");
    }

    [Test]
    public void Detect_PrintsTheDetectionsOfEachImage_AndDrawsThem()
    {
        // An untrained head scores about 0.01 (its prior), below the model's own 0.05 filter: spread the scores so
        // that detections come through.
        keras.backend.clear_session();
        var model = Path.Combine(root, "snapshot.h5");
        var network = models.backbone("resnet18_8").retinanet(num_classes: 4, options: new RetinaNetOptions { feature_size = 8, head_feature_size = 8 });
        var head = RetinaNetBuilder.FindLayer(network, "pyramid_classification")!;
        head.set_weights(new[] { head.get_weights()[0] * 200, head.get_weights()[1] + 3 });
        network.save(model);
        var (annotations, classes) = TinyDatasets.Csv(Path.Combine(root, "data"), count: 2);
        var images = new[] { Path.Combine(root, "data", "images", "img0.jpg"), Path.Combine(root, "data", "images", "img1.jpg") };
        var drawn = Path.Combine(root, "drawn");
        var output = RunSample("detect.cs", new[] { model }.Concat(images)
            .Concat(new[] { "--classes", classes, "--score-threshold", "0", "--save-path", drawn }).Concat(TinyModelFlags).ToArray());
        foreach (var image in images)
            Assert.That(output, Does.Match($@"{System.Text.RegularExpressions.Regex.Escape(image)}: [1-9]\d* objects"), output);
        Assert.That(output, Does.Match(@"  (circle|square|triangle|cross) 0\.\d{3} at \(\d+, \d+, \d+, \d+\)"), "class names from classes.csv");
        Assert.That(File.Exists(Path.Combine(drawn, "img0.png")) && File.Exists(Path.Combine(drawn, "img1.png")), Is.True);
    }

    [Test]
    public void Train_OnACsvDataset_WritesSnapshotsAndAnInferenceModelThatLoads()
    {
        var (annotations, classes) = TinyDatasets.Csv(Path.Combine(root, "data"));
        var output = Path.Combine(root, "out");
        var printed = RunSample("train.cs", annotations, classes, output, "--backbone", "resnet18_8", "--epochs", "1", "--steps", "2",
            "--batch-size", "2", "--image-side", "96", "--feature-size", "16");
        Assert.That(printed, Does.Contain("5 images, 4 classes; training resnet18_8 for 1 epochs of 2 steps"));
        Assert.That(printed, Does.Match(@"final loss \d+(\.\d+)? after"));
        Assert.That(File.Exists(Path.Combine(output, "resnet18_8_csv_01.h5")), Is.True, "the epoch's training snapshot");
        var inference = keras.models.load_model(Path.Combine(output, "inference.h5"), CustomObjects.WithResNet());
        Assert.That(inference.output_names, Does.Contain("filtered_detections"));
    }

    [Test]
    public void CustomLayer_SavesAndLoadsWithCustomObjects()
    {
        var path = Path.Combine(root, "scale.h5");
        var output = RunSample("custom_layer.cs", path);
        Assert.That(output, Does.Contain("without custom_objects: ").And.Contain("Unknown layer: 'Scale'"));
        Assert.That(output, Does.Contain("loaded layers: features (InputLayer), dense (Dense), scale (Scale)"));
        Assert.That(output, Does.Contain("same predictions after loading: True"));
        Assert.That(File.Exists(path), Is.True);
    }

    [Test]
    public void LoadKerasRetinanet_LoadsATrainingModel_ConvertsAndPredicts()
    {
        var model = TinyTrainingModel("resnet18_csv_10.h5");
        var inference = Path.Combine(root, "inference.h5");
        var output = RunSample("load_keras_retinanet.cs", model, "--image-side", "128", "--save", inference);
        Assert.That(output, Does.Contain("outputs regression, classification"));
        Assert.That(output, Does.Contain("a training model: converted to an inference model"));
        Assert.That(output, Does.Contain("boxes (1, 300, 4), scores (1, 300), labels (1, 300)"));
        Assert.That(keras.models.load_model(inference, CustomObjects.WithResNet()).output_names, Does.Contain("filtered_detections"));
    }

    [Test]
    public void Readme_FirstFiveMinutesCode_IsTheSamplesCode()
    {
        var excerpts = ReadmeSnippets.Excerpts();
        Assert.That(excerpts.Select(e => e.path), Is.SupersetOf(new[] { "samples/detect.cs", "samples/train.cs" }));
        foreach (var (path, code) in excerpts)
        {
            var sample = Lines(File.ReadAllText(Path.Combine(NotebookFiles.RepositoryRoot, path)));
            var excerpt = Lines(code);
            var found = Enumerable.Range(0, sample.Count - excerpt.Count + 1).Any(i => sample.Skip(i).Take(excerpt.Count).SequenceEqual(excerpt));
            Assert.That(found, Is.True, $"README's excerpt of {path} is not, line for line, in that file:\n{code}");
        }
    }

    static List<string> Lines(string code) =>
        code.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
}
