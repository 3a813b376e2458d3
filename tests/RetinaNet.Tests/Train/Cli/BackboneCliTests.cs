namespace RetinaNet.Tests.Train.Cli;

/// <summary>
/// The light keras-retinanet backbones end to end: a training step on the tiny CSV data (at a size where VGG's and
/// DenseNet's floored level sizes differ from ceil(dim / 2^level), so anchors must come from the model) and a
/// seconds-long <c>retinanet demo --backbone X</c>.
/// </summary>
[NonParallelizable]
public class BackboneCliTests
{
    string root = null!;

    [SetUp]
    public void MakeFolder() => root = Directory.CreateTempSubdirectory("cli-backbones").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(root, true);

    [TestCase("vgg16")]
    [TestCase("densenet121")]
    [TestCase("EfficientNetB0")]
    public void Train_OneStepOnTheCsvData_WithAnchorsFromTheModelsLevelSizes(string backbone)
    {
        var (annotations, classes) = TinyDatasets.Csv(Path.Combine(root, "data"), count: 2);
        var (code, stdout, stderr) = CliRunner.Run("train", "csv", annotations, classes, "--backbone", backbone, "--batch-size", "1",
            "--epochs", "1", "--steps", "1", "--feature-size", "16", "--image-min-side", "100", "--image-max-side", "100",
            "--no-evaluation", "--snapshot-path", Path.Combine(root, "snapshots"));
        Assert.That(code, Is.Zero, stderr + stdout);
        Assert.That(File.Exists(Path.Combine(root, "snapshots", $"{backbone}_csv_01.h5")), Is.True, stdout);
    }

    [TestCase("vgg16")]
    [TestCase("densenet121")]
    [TestCase("seresnet18")]
    [TestCase("EfficientNetB0")]
    public void Demo_RunsWithTheBackbone_InSeconds(string backbone)
    {
        var output = Path.Combine(root, "demo");
        var (code, stdout, stderr) = CliRunner.Run("demo", "--backbone", backbone, "--output", output, "--minutes", "0.65",
            "--train-images", "2", "--val-images", "1", "--image-size", "128", "--batch-size", "1", "--feature-size", "8");
        Assert.That(code, Is.Zero, stderr + stdout);
        Assert.That(stdout, Does.Contain($"Training {backbone}"));
        Assert.That(File.Exists(Path.Combine(output, "retinanet_shapes_inference.h5")), Is.True, stdout);
    }
}
