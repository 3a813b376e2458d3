using System.Diagnostics;
using System.Text.Json.Nodes;
using RetinaNet.Train.Demo;

namespace RetinaNet.Tests.Train.Cli;

/// <summary>
/// The short version of the forced-GC storm (issue 13; the long one is <c>benchmarks/gc-storm.sh</c>): the
/// retinanet program runs in child processes with tests/GcStorm's startup hook, whose thread calls
/// <c>GC.Collect(); GC.WaitForPendingFinalizers();</c> in a loop, so a Scalar or tensor that only the finalizer
/// holds is freed while libtorch may still use it. Every command must exit 0 and give the numbers of a calm run.
/// </summary>
[NonParallelizable]
public class GcStormTests
{
    static readonly string[] DemoSettings =
        { "--backbone", "resnet18_16", "--feature-size", "64", "--image-min-side", "256", "--image-max-side", "256" };

    string root = null!;

    [SetUp]
    public void MakeFolder() => root = Directory.CreateTempSubdirectory("gc-storm").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(root, true);

    [Test]
    public void TrainEvaluatePredictAndSaveLoad_UnderForcedGcStorm_ExitZeroWithTheNumbersOfACalmRun()
    {
        var data = Path.Combine(root, "data");
        var annotations = ShapesDataset.WriteCsv(data, "train", count: 8, seed: 0, size: 256);
        var classes = ShapesDataset.WriteClasses(data);
        var images = Directory.GetFiles(Path.Combine(data, "images", "train")).Order().Take(4).ToArray();

        var calm = RunAll("calm", storm: false);
        var storm = RunAll("storm", storm: true);

        Assert.That(storm.loss, Is.EqualTo(calm.loss), "training loss");
        Assert.That(storm.map, Is.EqualTo(calm.map), "evaluate");
        Assert.That(storm.predictions, Is.EqualTo(calm.predictions), "predict");
        Assert.That(calm.map, Does.Contain("mAP"));

        (string loss, string map, string predictions) RunAll(string name, bool storm)
        {
            var folder = Path.Combine(root, name);
            var snapshots = Path.Combine(folder, "snapshots");
            Run(storm, new[] { "train", "csv", annotations, classes }.Concat(DemoSettings).Concat(new[]
                { "--batch-size", "8", "--epochs", "1", "--steps", "2", "--seed", "1", "--snapshot-path", snapshots, "--no-evaluation" }));
            var snapshot = Directory.GetFiles(snapshots, "*.h5").Single();
            var inference = Path.Combine(folder, "inference.h5");
            Run(storm, new[] { "convert-model", snapshot, inference, "--backbone", "resnet18_16" });
            var evaluation = Run(storm, new[] { "evaluate", "csv", annotations, classes, inference }.Concat(DemoSettings[..2])
                .Concat(DemoSettings[4..]));
            var predictions = Path.Combine(folder, "predictions.json");
            Run(storm, new[] { "predict", inference }.Concat(images).Concat(new[] { "--backbone", "resnet18_16", "--score-threshold", "0",
                "--image-min-side", "256", "--image-max-side", "256", "--output", predictions }));
            // save → load → predict, 3 times: the child compares every output bit for bit with the first load's.
            Assert.That(Run(storm, new[] { "save-load", snapshot, "3", "256" }), Does.Contain("bit-identical"));

            var log = JsonNode.Parse(File.ReadAllText(Path.Combine(snapshots, "training_log.json")))!.AsArray();
            var mapLines = evaluation.Split('\n').Where(l => l.Contains("mAP") || l.Contains("instances of class"));
            return (log[0]!["loss"]!.ToJsonString(), string.Join("\n", mapLines), File.ReadAllText(predictions));
        }
    }

    /// <summary>Runs the retinanet program (through GcStorm.dll) in a child process; returns stdout, asserts exit 0.</summary>
    static string Run(bool storm, IEnumerable<string> args)
    {
        var program = Path.Combine(TestContext.CurrentContext.TestDirectory, "GcStorm.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(program);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Remove("DOTNET_STARTUP_HOOKS");
        if (storm)
        {
            start.Environment["DOTNET_STARTUP_HOOKS"] = program;
            start.Environment["GC_STORM_REPORT"] = "1";
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero,
            $"{(storm ? "under the GC storm" : "calm")}: retinanet {string.Join(' ', args)}\n{stderr.Result}\n{stdout}");
        if (storm) Assert.That(stderr.Result, Does.Match(@"gc-storm: [1-9]\d* forced collections"), "the storm hook ran");
        return stdout;
    }
}
