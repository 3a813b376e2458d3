using System.Diagnostics;
using System.Text.Json.Nodes;
using RetinaNet.Core;

namespace RetinaNet.Tests.Train.Cli;

/// <summary>
/// Long runs meet schedulers and crashes: SIGTERM stops training like Ctrl+C (batch finished, snapshot written,
/// non-zero exit), temporaries of killed saves are cleaned at the next start, batch prediction survives a bad image
/// and never overwrites a drawing, and convert-model never overwrites its input.
/// </summary>
[NonParallelizable]
public class InterruptionAndLeftoversTests
{
    string root = null!;
    static readonly string[] Light = { "--backbone", "resnet18_8", "--feature-size", "16", "--image-min-side", "96", "--image-max-side", "96", "--batch-size", "2", "--seed", "1" };

    [SetUp]
    public void MakeFolder() => root = Directory.CreateTempSubdirectory("leftovers").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(root, true);

    [Test]
    public void Sigterm_FinishesTheBatch_SavesTheSnapshot_AndExits143()
    {
        var (annotations, classes) = TinyDatasets.Csv(Path.Combine(root, "data"));
        var snapshots = Path.Combine(root, "snapshots");
        var cli = Path.Combine(AppContext.BaseDirectory, "retinanet.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "exec", cli, "train", "csv", annotations, classes }.Concat(Light)
                     .Concat(new[] { "--epochs", "1", "--steps", "100000", "--snapshot-path", snapshots, "--no-evaluation" }))
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        // The signal handlers are in place before the model is created; a signal that comes before the first batch
        // still lets that batch train and its epoch be saved.
        var output = new System.Text.StringBuilder();
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null && !line.Contains("Creating model")) output.AppendLine(line);
        var stdout = process.StandardOutput.ReadToEndAsync();
        Thread.Sleep(TimeSpan.FromSeconds(3));
        Assert.That(process.HasExited, Is.False, "100000 steps cannot be done yet");
        using (var kill = Process.Start("kill", new[] { "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) })) kill.WaitForExit();
        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(2)), Is.True, "SIGTERM stops the run");

        Assert.That(process.ExitCode, Is.EqualTo(143), stderr.Result + stdout.Result);
        Assert.That(stderr.Result, Does.Contain("SIGTERM: stopping after the current batch"));
        Assert.That(File.Exists(Path.Combine(snapshots, "resnet18_8_csv_01.h5")), Is.True, stdout.Result);
        Assert.That(keras.models.load_model(Path.Combine(snapshots, "resnet18_8_csv_01.h5"), RetinaNet.Layers.CustomObjects.WithResNet()).optimizer!.iterations,
            Is.GreaterThan(0).And.LessThan(100000));
    }

    [Test]
    public void StaleTemporaries_OfDeadWriters_AreRemovedAtTheNextStart_OthersKept()
    {
        var snapshots = Directory.CreateDirectory(Path.Combine(root, "snapshots")).FullName;
        var dead = Path.Combine(snapshots, $".resnet18_8_csv_01.h5.{DeadPid()}.{Guid.NewGuid():N}.tmp");
        var live = TemporaryFiles.For(Path.Combine(snapshots, "resnet18_8_csv_02.h5"));
        var foreign = Path.Combine(snapshots, ".notes.tmp");
        foreach (var f in new[] { dead, live, foreign }) File.WriteAllText(f, "x");

        var (annotations, classes) = TinyDatasets.Csv(Path.Combine(root, "data"));
        var (code, stdout, stderr) = CliRunner.Run(new[] { "train", "csv", annotations, classes }.Concat(Light)
            .Concat(new[] { "--epochs", "1", "--steps", "1", "--snapshot-path", snapshots, "--no-evaluation" }).ToArray());
        Assert.That(code, Is.Zero, stderr + stdout);
        Assert.That(stdout, Does.Contain($"Removed {dead}, left by an interrupted save."));
        Assert.That(File.Exists(dead), Is.False);
        Assert.That(File.Exists(live) && File.Exists(foreign), Is.True, "a live process's save and files that are not ours stay");
    }

    static int DeadPid()
    {
        // A process that has exited: its id names no running process (until reused, which takes far longer than this test).
        using var process = Process.Start("true")!;
        process.WaitForExit();
        return process.Id;
    }

    [Test]
    public void Predict_ReportsABadImage_KeepsGoing_AndNeverOverwritesADrawing()
    {
        var (annotations, classes) = TinyDatasets.Csv(Path.Combine(root, "data"));
        var snapshots = Path.Combine(root, "snapshots");
        var (code, stdout, stderr) = CliRunner.Run(new[] { "train", "csv", annotations, classes }.Concat(Light)
            .Concat(new[] { "--epochs", "1", "--steps", "1", "--snapshot-path", snapshots, "--no-evaluation" }).ToArray());
        Assert.That(code, Is.Zero, stderr + stdout);
        var snapshot = Path.Combine(snapshots, "resnet18_8_csv_01.h5");

        var a = Directory.CreateDirectory(Path.Combine(root, "a")).FullName;
        var b = Directory.CreateDirectory(Path.Combine(root, "b")).FullName;
        File.Copy(Path.Combine(root, "data", "images", "img0.jpg"), Path.Combine(a, "img.jpg"));
        File.Copy(Path.Combine(root, "data", "images", "img1.jpg"), Path.Combine(b, "img.jpg"));
        var broken = Path.Combine(root, "broken.jpg");
        File.WriteAllBytes(broken, new byte[] { 0xFF, 0xD8, 0xFF, 0x00, 0x01 });
        var drawn = Path.Combine(root, "drawn");
        (code, stdout, stderr) = CliRunner.Run("predict", snapshot, Path.Combine(a, "img.jpg"), broken, Path.Combine(b, "img.jpg"), "--convert-model",
            "--backbone", "resnet18_8", "--score-threshold", "0", "--image-min-side", "96", "--image-max-side", "96", "--save-path", drawn);

        Assert.That(code, Is.EqualTo(1), "some images failed");
        Assert.That(stderr, Does.Contain(broken).And.Contain("1 of 3 images could not be read."));
        var results = JsonNode.Parse(stdout)!.AsArray();
        Assert.That(results, Has.Count.EqualTo(3));
        Assert.That(results[1]!["error"]!.GetValue<string>(), Does.Contain(broken));
        Assert.That(results[2]!["detections"], Is.Not.Null, "the image after the bad one was still processed");
        Assert.That(results[2]!["error"], Is.Null);
        Assert.That(Directory.GetFiles(drawn).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "img-3.png", "img.png" }));
    }

    [Test]
    public void ConvertModel_RefusesToOverwriteItsInput()
    {
        var model = Path.Combine(root, "model.h5");
        File.WriteAllText(model, "not read: refused before loading");
        var (code, _, stderr) = CliRunner.Run("convert-model", model, Path.Combine(root, ".", "model.h5"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr.Trim(), Does.StartWith("error: convert-model would overwrite its input").And.Contain("choose another output path"));
        Assert.That(File.ReadAllText(model), Is.EqualTo("not read: refused before loading"));
    }
}
