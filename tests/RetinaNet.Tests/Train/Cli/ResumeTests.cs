using System.Globalization;
using RetinaNet.Core;
using RetinaNet.Train.Training;

namespace RetinaNet.Tests.Train.Cli;

/// <summary>
/// A run resumed from a snapshot continues exactly as if it had never stopped: same batches and augmentation, same
/// optimizer state, learning-rate schedule and plateau counters; its logs are appended, not overwritten.
/// </summary>
[NonParallelizable]
public class ResumeTests
{
    string root = null!;

    [SetUp]
    public void MakeFolder() => root = Directory.CreateTempSubdirectory("resume").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(root, true);

    // 5 images in batches of 2 give 3 batches per pass; 2 steps per epoch put every epoch boundary at a different
    // place in the pass. A high learning rate and patience 1 make ReduceLROnPlateau act within six epochs: with seed 5
    // it halves the rate at the end of epoch 4, after that epoch's snapshot was written (the snapshot's optimizer still
    // says 0.01), so only the saved state gives the resumed run the rate the straight run continues with.
    string[] Train(string annotations, string classes, string snapshots, params string[] extra) =>
        new[] { "train", "csv", annotations, classes, "--backbone", "resnet18_8", "--feature-size", "16", "--image-min-side", "96",
            "--image-max-side", "96", "--batch-size", "2", "--steps", "2", "--random-transform", "--lr", "1e-2",
            "--reduce-lr-patience", "1", "--reduce-lr-factor", "0.5", "--snapshot-path", snapshots, "--no-evaluation" }
        .Concat(extra).ToArray();

    static List<string[]> LogRows(string folder) => File.ReadAllLines(Path.Combine(folder, "training_log.csv")).Select(l => l.Split(',')).ToList();

    [Test]
    public void ResumingFromAnEpochSnapshot_IsBitIdenticalToTrainingStraightThrough_AndAppendsTheLog()
    {
        var (annotations, classes) = TinyDatasets.Csv(Path.Combine(root, "data"));
        var straight = Path.Combine(root, "straight");
        var (code, stdout, stderr) = CliRunner.Run(Train(annotations, classes, straight, "--epochs", "6", "--seed", "5"));
        Assert.That(code, Is.Zero, stdout + stderr);

        var resumed = Path.Combine(root, "resumed");
        (code, stdout, stderr) = CliRunner.Run(Train(annotations, classes, resumed, "--epochs", "4", "--seed", "5"));
        Assert.That(code, Is.Zero, stdout + stderr);
        var first = Path.Combine(resumed, "resnet18_8_csv_04.h5");
        Assert.That(File.Exists(TrainingState.PathFor(first)), "the state is saved beside the snapshot");
        // No --seed and no --initial-epoch: both come from the state beside the snapshot.
        (code, stdout, stderr) = CliRunner.Run(Train(annotations, classes, resumed, "--epochs", "6", "--snapshot", first));
        Assert.That(code, Is.Zero, stdout + stderr);
        Assert.That(stdout, Does.Contain("Resuming after epoch 4 (batch 8, learning rate 0.005)"));

        // The same weights, bit for bit, after epoch 6 (the optimizer state included).
        keras.backend.clear_session();
        var a = keras.models.load_model(Path.Combine(straight, "resnet18_8_csv_06.h5"), custom_objects: RetinaNet.Layers.CustomObjects.Create());
        var b = keras.models.load_model(Path.Combine(resumed, "resnet18_8_csv_06.h5"), custom_objects: RetinaNet.Layers.CustomObjects.Create());
        var (wa, wb) = (a.get_weights(), b.get_weights());
        Assert.That(wb.Count, Is.EqualTo(wa.Count));
        for (int i = 0; i < wa.Count; i++)
            Assert.That(wb[i].equal(wa[i]).all().item<bool>(), Is.True, $"weight {a.weights[i].name} differs by up to {(wb[i] - wa[i]).abs().max().item<float>()}");
        Assert.That(b.optimizer!.iterations, Is.EqualTo(a.optimizer!.iterations).And.EqualTo(12));
        var (oa, ob) = (a.optimizer.get_weights(), b.optimizer.get_weights());
        for (int i = 0; i < oa.Count; i++) Assert.That(ob[i].equal(oa[i]).all().item<bool>(), Is.True, $"optimizer state {i} differs");

        // One log of six epochs, with the straight run's losses and learning rates (not its times).
        var (la, lb) = (LogRows(straight), LogRows(resumed));
        Assert.That(lb, Has.Count.EqualTo(7), "header and six epochs");
        Assert.That(lb[0], Is.EqualTo(la[0]));
        var seconds = Array.IndexOf(la[0], "seconds");
        for (int row = 1; row < 7; row++)
            for (int column = 0; column < la[0].Length; column++)
                if (column != seconds) Assert.That(lb[row][column], Is.EqualTo(la[row][column]), $"epoch {row}, {la[0][column]}");
        var lr = Array.IndexOf(la[0], "lr");
        Assert.That(la.Skip(1).Select(r => double.Parse(r[lr], CultureInfo.InvariantCulture)).Distinct().Count(), Is.GreaterThan(1),
            "the schedule reduced the learning rate, so its state mattered");
    }

    [Test]
    public void ResumingASnapshotThatHasTrainedEveryEpochAsked_IsRefused()
    {
        var (annotations, classes) = TinyDatasets.Csv(Path.Combine(root, "data"));
        var snapshots = Path.Combine(root, "s");
        var (code, stdout, stderr) = CliRunner.Run(Train(annotations, classes, snapshots, "--epochs", "1", "--seed", "5"));
        Assert.That(code, Is.Zero, stdout + stderr);
        (code, stdout, stderr) = CliRunner.Run(Train(annotations, classes, snapshots, "--epochs", "1", "--snapshot", Path.Combine(snapshots, "resnet18_8_csv_01.h5")));
        Assert.That(code, Is.EqualTo(1), stdout + stderr);
        Assert.That(stderr, Does.Contain("has trained 1 epochs already; --epochs 1 leaves none to train"));
    }
}
