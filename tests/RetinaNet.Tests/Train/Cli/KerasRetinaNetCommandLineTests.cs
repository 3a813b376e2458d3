using RetinaNet.Train.Cli;

namespace RetinaNet.Tests.Train.Cli;

/// <summary>
/// keras-retinanet's command lines as its README and its own end-to-end tests write them: argparse options before the
/// dataset sub-command, <c>--flag=value</c>, and every flag of its scripts (the device ones checked against the
/// machine). Our own form (options after the dataset arguments) keeps working.
/// </summary>
[NonParallelizable]
public class KerasRetinaNetCommandLineTests
{
    string root = null!;
    string annotations = null!;
    string classes = null!;

    // Our light settings, written the argparse way (--flag=value).
    static readonly string[] Light = { "--backbone=resnet18_8", "--feature-size=16", "--image-min-side=96", "--image-max-side=96", "--seed=1" };

    [SetUp]
    public void MakeData()
    {
        root = Directory.CreateTempSubdirectory("argparse").FullName;
        (annotations, classes) = TinyDatasets.Csv(Path.Combine(root, "data"), count: 2);
    }

    [TearDown]
    public void RemoveData()
    {
        DeviceOptions.CudaDeviceCount = () => TorchSharp.torch.cuda.is_available() ? TorchSharp.torch.cuda.device_count() : 0;
        Directory.Delete(root, true);
    }

    static string[] Args(params string[][] parts) => parts.SelectMany(p => p).ToArray();

    [Test]
    public void Train_TakesOptionsBeforeTheDatasetSubcommand_WithEqualsValues_AsKerasRetinaNetsTests()
    {
        // keras-retinanet tests/bin/test_train.py: main(['--backbone', ..., '--steps=1', '--epochs=1', '--no-weights', '--no-snapshots', 'csv', ...])
        var (code, stdout, stderr) = CliRunner.Run(Args(new[] { "train" }, Light,
            new[] { "--batch-size", "2", "--steps=1", "--epochs=1", "--no-weights", "--no-snapshots", "--no-evaluation", "csv", annotations, classes }));
        Assert.That(code, Is.Zero, stderr + stdout);
        Assert.That(stdout, Does.Contain("Epoch 1/1"));
    }

    [Test]
    public void Train_TakesOptionsOnBothSidesOfTheDatasetArguments()
    {
        var snapshots = Path.Combine(root, "snapshots");
        var (code, stdout, stderr) = CliRunner.Run(Args(new[] { "train", "--epochs=1" }, Light,
            new[] { "csv", annotations, classes, "--steps", "1", "--snapshot-path", snapshots, "--no-evaluation", "--multiprocessing", "--workers", "2" }));
        Assert.That(code, Is.Zero, stderr + stdout);
        Assert.That(File.Exists(Path.Combine(snapshots, "resnet18_8_csv_01.h5")), Is.True, stdout);
    }

    [Test]
    public void Pascal_TrainsWithArgparseOrder()
    {
        var voc = TinyDatasets.Pascal(Path.Combine(root, "voc"), count: 2);
        var (code, stdout, stderr) = CliRunner.Run(Args(new[] { "train" }, Light,
            new[] { "--steps=1", "--epochs=1", "--no-weights", "--no-snapshots", "--no-evaluation", "pascal", voc }));
        Assert.That(code, Is.Zero, stderr + stdout);
    }

    [Test]
    public void EvaluateAndDebug_TakeOptionsFirst_AndEveryKerasRetinaNetFlag()
    {
        var snapshots = Path.Combine(root, "snapshots");
        var (code, stdout, stderr) = CliRunner.Run(Args(new[] { "train" }, Light,
            new[] { "--steps=1", "--epochs=1", "--no-evaluation", $"--snapshot-path={snapshots}", "csv", annotations, classes }));
        Assert.That(code, Is.Zero, stderr + stdout);
        var snapshot = Path.Combine(snapshots, "resnet18_8_csv_01.h5");

        // retinanet-evaluate [options] csv ANNOTATIONS CLASSES MODEL
        (code, stdout, stderr) = CliRunner.Run("evaluate", "--convert-model", "--backbone=resnet18_8", "--image-min-side=96", "--image-max-side=96",
            "--score-threshold=0.05", "--iou-threshold=0.5", "--max-detections=100", "--group-method=ratio", "--gpu=cpu", "csv", annotations, classes, snapshot);
        Assert.That(code, Is.Zero, stderr + stdout);
        Assert.That(stdout, Does.Contain("mAP: "));

        // retinanet-debug with the README's --annotations and --no-gui.
        var output = Path.Combine(root, "debug");
        (code, stdout, stderr) = CliRunner.Run("debug", "--anchors", "--annotations", "--no-gui", "--image-min-side=96", "--image-max-side=96",
            "--group-method=none", $"--output-dir={output}", "--flatten-output", "csv", annotations, classes);
        Assert.That(code, Is.Zero, stderr + stdout);
        Assert.That(Directory.GetFiles(output, "*_debug.png"), Has.Length.EqualTo(3));
    }

    [Test]
    public void Debug_PascalSet_ChoosesTheImageSet()
    {
        var voc = TinyDatasets.Pascal(Path.Combine(root, "voc"), count: 2);
        File.WriteAllText(Path.Combine(voc, "ImageSets", "Main", "single.txt"), "img1\n");
        var output = Path.Combine(root, "debug");
        var (code, stdout, stderr) = CliRunner.Run("debug", "--image-min-side=96", "--image-max-side=96", $"--output-dir={output}", "--flatten-output",
            "pascal", voc, "--pascal-set", "single");
        Assert.That(code, Is.Zero, stderr + stdout);
        Assert.That(Directory.GetFiles(output, "*_debug.png").Select(Path.GetFileName), Is.EqualTo(new[] { "img1_debug.png" }));
    }

    [TestCase("--gpu=0", "--gpu 0: this machine has no CUDA GPU")]
    [TestCase("--gpu=0,1", "--gpu 0,1: this machine has no CUDA GPU")]
    [TestCase("--device=cuda", "--device cuda: this machine has no CUDA GPU")]
    [TestCase("--device=tpu", "--device tpu: 'tpu' is not a device")]
    [TestCase("--gpu=first", "--gpu 'first': expected a GPU id")]
    [TestCase("--multi-gpu=2 --multi-gpu-force", "--multi-gpu 2 asks for 2 GPUs, but this machine has 0 GPUs.")]
    [TestCase("--multi-gpu=2", "Multi-GPU support is experimental, use at own risk! Run with --multi-gpu-force if you wish to continue.")]
    [TestCase("--multi-gpu=4 --multi-gpu-force", "Batch size (2) must be equal to or higher than the number of GPUs (4)")]
    [TestCase("--tensorboard-freq=sometimes", "--tensorboard-freq 'sometimes': expected epoch, batch or a positive number of batches.")]
    public void DeviceAndFrequencyFlags_OnAMachineWithoutGpus_AreOneLineUserErrors(string flags, string expected)
    {
        DeviceOptions.CudaDeviceCount = () => 0;
        var (code, stdout, stderr) = CliRunner.Run(Args(new[] { "train" }, flags.Split(' '), Light,
            new[] { "--batch-size=2", "--steps=1", "--epochs=1", "--no-snapshots", "csv", annotations, classes }));
        Assert.That(code, Is.EqualTo(1), stderr + stdout);
        Assert.That(stderr.Trim(), Is.EqualTo("error: " + expected).Or.StartWith("error: " + expected));
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), "one line, no stack trace");
        Assert.That(stdout, Does.Not.Contain("Epoch"), "refused before any work");
    }

    [Test]
    public void Gpu_ChoosesTheFirstIdOfItsList_WhenTheMachineHasThem()
    {
        DeviceOptions.CudaDeviceCount = () => 2;
        Assert.That(DeviceOptions.Resolve("cpu", "1"), Is.EqualTo("cuda:1"));
        Assert.That(DeviceOptions.Resolve("cpu", "1,0"), Is.EqualTo("cuda:1"));
        Assert.That(DeviceOptions.Resolve("cpu", "-1"), Is.EqualTo("cpu"));
        Assert.That(DeviceOptions.Resolve("cuda:1", null), Is.EqualTo("cuda:1"));
        Assert.That(() => DeviceOptions.Resolve("cpu", "2"), Throws.ArgumentException.With.Message.Contains("GPU 2 does not exist; this machine has 2 GPUs (ids 0..1)"));
        Assert.That(() => DeviceOptions.Resolve("cuda:0", "1"), Throws.ArgumentException.With.Message.Contains("choose different devices"));
        Assert.That(() => DeviceOptions.Resolve("cpu", null, multi_gpu: 2, multi_gpu_force: true, batch_size: 2),
            Throws.ArgumentException.With.Message.Contains("not supported; train on one with --gpu N"));
        Assert.That(() => DeviceOptions.Resolve("cpu", null, multi_gpu: 2, multi_gpu_force: true, batch_size: 2, resuming: true),
            Throws.ArgumentException.With.Message.EqualTo("Multi GPU training (2) and resuming from snapshots (--snapshot) is not supported."));
    }

    [Test]
    public void TensorBoardFreqBatch_WritesTheBatchLosses()
    {
        var logs = Path.Combine(root, "tb");
        var (code, stdout, stderr) = CliRunner.Run(Args(new[] { "train" }, Light,
            new[] { "--batch-size=2", "--steps=2", "--epochs=1", "--no-snapshots", "--no-evaluation", $"--tensorboard-dir={logs}", "--tensorboard-freq=batch", "csv", annotations, classes }));
        Assert.That(code, Is.Zero, stderr + stdout);
        var events = string.Concat(Directory.GetFiles(logs, "*", SearchOption.AllDirectories).Select(f => System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(f))));
        Assert.That(System.Text.RegularExpressions.Regex.Matches(events, "batch_loss").Count, Is.EqualTo(2), "one scalar per batch");
        Assert.That(events, Does.Contain("classification_loss"), "the epoch scalars are still written");
    }
}
