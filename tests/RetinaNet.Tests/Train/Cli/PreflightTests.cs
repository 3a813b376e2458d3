namespace RetinaNet.Tests.Train.Cli;

/// <summary>
/// Mistakes a run would otherwise meet after its first epoch (or never) are refused before any work: one error line
/// naming the flag or file, exit code 1, no epoch trained.
/// </summary>
[NonParallelizable]
public class PreflightTests
{
    string root = null!;
    string annotations = null!;
    string classes = null!;
    static readonly string[] Light = { "--backbone", "resnet18_8", "--feature-size", "16", "--image-min-side", "96", "--image-max-side", "96", "--batch-size", "2", "--seed", "1" };

    [SetUp]
    public void MakeData()
    {
        root = Directory.CreateTempSubdirectory("preflight").FullName;
        (annotations, classes) = TinyDatasets.Csv(Path.Combine(root, "data"), count: 2);
    }

    [TearDown]
    public void RemoveData() => Directory.Delete(root, true);

    (int code, string stdout, string stderr) Train(params string[] extra)
    {
        // The light settings, less any flag the case sets itself.
        var light = new List<string>();
        for (int i = 0; i < Light.Length; i += 2)
            if (!extra.Contains(Light[i])) light.AddRange(new[] { Light[i], Light[i + 1] });
        return CliRunner.Run(new[] { "train", "csv", annotations, classes }.Concat(light)
            .Concat(new[] { "--steps", "1", "--snapshot-path", Path.Combine(root, "snapshots") }).Concat(extra).ToArray());
    }

    [TestCase("--epochs 0", "--epochs 0: must be at least 1.")]
    [TestCase("--epochs -1", "--epochs -1: must be at least 1.")]
    [TestCase("--initial-epoch 3 --epochs 2", "--initial-epoch 3: must be between 0 and --epochs (2).")]
    [TestCase("--lr 0", "--lr 0: must be a positive number.")]
    [TestCase("--lr NaN", "--lr NaN: must be a positive number.")]
    [TestCase("--image-min-side 0", "--image-min-side 0: must be at least 1.")]
    [TestCase("--reduce-lr-factor 1.5", "--reduce-lr-factor 1.5: must be between 0 and 1 (exclusive).")]
    [TestCase("--device cuda:0", "--device cuda:0: this machine has no CUDA GPU")]
    public void BadOptionValues_AreRefusedBeforeTraining_NamingTheFlag(string flags, string expected)
    {
        RetinaNet.Train.Cli.DeviceOptions.CudaDeviceCount = () => 0;
        try
        {
            var (code, stdout, stderr) = Train(flags.Split(' '));
            Assert.That(code, Is.EqualTo(1), stdout + stderr);
            Assert.That(stderr, Does.StartWith("error: " + expected));
            Assert.That(stdout, Does.Not.Contain("Epoch 1"));
        }
        finally
        {
            RetinaNet.Train.Cli.DeviceOptions.CudaDeviceCount = () => TorchSharp.torch.cuda.is_available() ? TorchSharp.torch.cuda.device_count() : 0;
        }
    }

    [Test]
    public void SnapshotPathThatIsAFile_IsRefusedBeforeTraining()
    {
        var file = Path.Combine(root, "snapshots");
        File.WriteAllText(file, "not a folder");
        var (code, stdout, stderr) = Train("--epochs", "1");
        Assert.That(code, Is.EqualTo(1), stdout + stderr);
        Assert.That(stderr, Does.StartWith($"error: --snapshot-path {file}: is a file; it must be a folder."));
        Assert.That(File.ReadAllText(file), Is.EqualTo("not a folder"), "nothing the user saved is touched");
    }

    [Test]
    public void UnwritableTensorBoardFolder_IsRefusedBeforeTraining()
    {
        var blocker = Path.Combine(root, "blocker");
        File.WriteAllText(blocker, "x");
        var (code, stdout, stderr) = Train("--epochs", "1", "--tensorboard-dir", Path.Combine(blocker, "logs"));
        Assert.That(code, Is.EqualTo(1), stdout + stderr);
        Assert.That(stderr, Does.StartWith($"error: --tensorboard-dir {Path.Combine(blocker, "logs")}: cannot write there"));
        Assert.That(stdout, Does.Not.Contain("Epoch 1"));
    }

    [Test]
    public void ValidationImageThatDoesNotExist_IsFoundBeforeTheFirstEpoch()
    {
        var validation = Path.Combine(root, "data", "val.csv");
        File.WriteAllLines(validation, File.ReadAllLines(annotations).Append("images/missing.jpg,1,1,20,20,circle"));
        var (code, stdout, stderr) = Train("--epochs", "1", "--val-annotations", validation);
        Assert.That(code, Is.EqualTo(1), stdout + stderr);
        Assert.That(stderr, Does.StartWith("error: The validation set's image").And.Contain("missing.jpg"));
        Assert.That(stdout, Does.Not.Contain("Epoch 1"));
    }
}
