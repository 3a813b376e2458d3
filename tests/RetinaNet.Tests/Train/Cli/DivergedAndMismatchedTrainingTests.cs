using RetinaNet.Core;
using RetinaNet.Core.Layers;

namespace RetinaNet.Tests.Train.Cli;

/// <summary>
/// Damaged or mismatched inputs never train silently: a diverged loss saves no snapshot and exits non-zero, weights
/// holding NaN are refused at load, and a snapshot is resumed only on a dataset with its class count.
/// </summary>
[NonParallelizable]
public class DivergedAndMismatchedTrainingTests
{
    string root = null!;
    static readonly string[] Light = { "--backbone", "resnet18_8", "--feature-size", "16", "--image-min-side", "96", "--image-max-side", "96", "--batch-size", "2", "--seed", "1" };

    [SetUp]
    public void MakeFolder() => root = Directory.CreateTempSubdirectory("diverged").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(root, true);

    [Test]
    public void DivergedLoss_SavesNoSnapshot_AndExitsNonZeroNamingTheBatch()
    {
        var (annotations, classes) = TinyDatasets.Csv(Path.Combine(root, "data"));
        var snapshots = Path.Combine(root, "snapshots");
        // Adam with an absurd learning rate: the weights explode within a few steps and the loss becomes NaN.
        var (code, stdout, stderr) = CliRunner.Run(new[] { "train", "csv", annotations, classes }.Concat(Light).Concat(new[]
            { "--epochs", "2", "--steps", "6", "--lr", "1e12", "--optimizer-clipnorm", "1e12", "--snapshot-path", snapshots, "--no-evaluation" }).ToArray());
        Assert.That(code, Is.EqualTo(1), stdout + stderr);
        Assert.That(stderr, Does.Match(@"error: Training stopped at epoch 1, batch \d+: the loss became NaN or infinite"));
        Assert.That(stdout, Does.Contain("not saving a snapshot"));
        Assert.That(Directory.Exists(snapshots) ? Directory.GetFiles(snapshots, "*.h5") : Array.Empty<string>(), Is.Empty);
    }

    [Test]
    public void WeightsHoldingNaN_AreRefusedAtLoad_NamingTheWeight()
    {
        var input = keras.Input(new Shape(4));
        var model = keras.Model(input, new Dense(3, name: "head").Apply(input));
        var kernel = model.get_layer("head").weights[0];
        using (TorchSharp.torch.no_grad()) kernel.value[1, 2].fill_(float.NaN);
        var path = Path.Combine(root, "nan.h5");
        model.save(path);

        var e = Assert.Throws<KerasFileException>(() => keras.models.load_model(path))!;
        Assert.That(e.Message, Does.Contain("NaN or infinite values in weight 'head/kernel:0' (layer 'head')"));
    }

    [Test]
    public void ResumingOnADatasetWithAnotherClassCount_IsRefusedWithBothNumbers()
    {
        var (annotations, classes) = TinyDatasets.Csv(Path.Combine(root, "data"));
        var snapshots = Path.Combine(root, "snapshots");
        var (code, stdout, stderr) = CliRunner.Run(new[] { "train", "csv", annotations, classes }.Concat(Light).Concat(new[]
            { "--epochs", "1", "--steps", "1", "--snapshot-path", snapshots, "--no-evaluation" }).ToArray());
        Assert.That(code, Is.Zero, stdout + stderr);
        var snapshot = Directory.GetFiles(snapshots, "*.h5").Single();

        var fewer = Path.Combine(root, "two-classes.csv");
        File.WriteAllLines(fewer, new[] { "circle,0", "square,1" });
        var twoClassAnnotations = Path.Combine(root, "data", "two.csv");
        File.WriteAllLines(twoClassAnnotations, File.ReadAllLines(annotations).Where(l => l.EndsWith(",circle") || l.EndsWith(",square") || l.EndsWith(",,,,,")));
        (code, stdout, stderr) = CliRunner.Run(new[] { "train", "csv", twoClassAnnotations, fewer }.Concat(Light).Concat(new[]
            { "--snapshot", snapshot, "--epochs", "2", "--initial-epoch", "1", "--steps", "1", "--snapshot-path", snapshots, "--no-evaluation" }).ToArray());
        Assert.That(code, Is.EqualTo(1), stdout + stderr);
        Assert.That(stderr, Does.Contain($"--snapshot {snapshot} was trained on 4 classes, but this dataset has 2."));
        Assert.That(stdout, Does.Not.Contain("Epoch 2/2"), "refused before training");
    }

    [Test]
    public void ResumingWithAnotherBackbone_IsRefusedNamingBoth_BeforeTraining()
    {
        var (annotations, classes) = TinyDatasets.Csv(Path.Combine(root, "data"));
        var snapshots = Path.Combine(root, "snapshots");
        var (code, stdout, stderr) = CliRunner.Run(new[] { "train", "csv", annotations, classes }.Concat(Light).Concat(new[]
            { "--epochs", "1", "--steps", "1", "--snapshot-path", snapshots, "--no-evaluation" }).ToArray());
        Assert.That(code, Is.Zero, stdout + stderr);
        var snapshot = Directory.GetFiles(snapshots, "*.h5").Single();

        // Another width of the same family: every layer name exists, the weight shapes differ.
        var other = new[] { "train", "csv", annotations, classes, "--backbone", "resnet18_16", "--feature-size", "16", "--image-min-side", "96",
            "--image-max-side", "96", "--batch-size", "2", "--snapshot", snapshot, "--epochs", "2", "--steps", "1", "--snapshot-path", snapshots, "--no-evaluation" };
        (code, stdout, stderr) = CliRunner.Run(other);
        Assert.That(code, Is.EqualTo(1), stdout + stderr);
        Assert.That(stderr, Does.Contain($"--snapshot {snapshot} was not trained with --backbone resnet18_16: its layer 'conv1' has weights"));
        Assert.That(stderr, Does.Contain("It was trained with --backbone resnet18_8; pass that."));
        Assert.That(stdout, Does.Not.Contain("Epoch 2/2"), "refused before training");

        // Another family, and no training state to name the right one: the first missing layer is named.
        File.Delete(snapshot + ".state.json");
        other[5] = "vgg16";
        (code, stdout, stderr) = CliRunner.Run(other);
        Assert.That(code, Is.EqualTo(1), stdout + stderr);
        Assert.That(stderr, Does.Contain($"--snapshot {snapshot} was not trained with --backbone vgg16: it has no layer 'block1_conv1'"));
        Assert.That(stderr, Does.Contain("Pass the --backbone it was trained with."));
    }
}
