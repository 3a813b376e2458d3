using RetinaNet.Core;
using RetinaNet.Inference;
using RetinaNet.Layers;
using RetinaNet.Train.Demo;
using RetinaNet.Train.Inference;
using RetinaNet.Train.Preprocessing;
using RetinaNet.Train.Training;
using RetinaNet.Train.Utils;

namespace RetinaNet.Tests.Train.Training;

/// <summary>
/// Issue 19's accuracy checks, on the demo's shapes with the demo's light model (resnet18_16), in about a minute:
/// the same seeded run trained in fp32 and in mixed bf16 follows one loss curve, and bf16 inference of the briefly
/// trained fp32 model gives its detections. (Issue 19 asks for 200 steps; 60 keep this under two minutes on a
/// shared 2-core machine. The mAP comparisons in benchmarks/ are not written yet.)
/// </summary>
[NonParallelizable]
public class MixedPrecisionAccuracyTests
{
    const int Steps = 60;
    const int ImageSize = 128;
    static string root = "";
    static List<double> fp32Losses = new(), bf16Losses = new();
    const int MaxDetections = 300;
    static Model fp32Training = null!;
    static string[] validationImages = Array.Empty<string>();

    /// <summary>Each step's own loss, recovered from fit's running mean (batches of equal size).</summary>
    sealed class StepLosses : Callback
    {
        public readonly List<double> losses = new();
        double previousMean;

        public override void on_train_batch_end(int batch, Dictionary<string, double> logs)
        {
            var mean = logs["loss"];
            losses.Add((batch + 1) * mean - batch * previousMean);
            previousMean = mean;
        }
    }

    [OneTimeSetUp]
    public void TrainBothWays()
    {
        root = Directory.CreateTempSubdirectory("mixed-precision").FullName;
        var data = Path.Combine(root, "data");
        var classes = ShapesDataset.WriteClasses(data);
        var trainCsv = ShapesDataset.WriteCsv(data, "train", 16, seed: 0, size: ImageSize);
        ShapesDataset.WriteCsv(data, "val", 4, seed: 1, size: ImageSize);
        validationImages = Directory.GetFiles(Path.Combine(data, "images", "val")).Order().ToArray();
        (fp32Losses, fp32Training) = Train("fp32");
        (bf16Losses, _) = Train("bf16");

        (List<double>, Model) Train(string precision)
        {
            keras.backend.clear_session();
            var session = new TrainingSession(new TrainingOptions
            {
                backbone = "resnet18_16", batch_size = 2, epochs = 1, steps = Steps, lr = 1e-4, feature_size = 32,
                image_sizing = new ImageSizing(ImageSize, ImageSize), no_snapshots = true, no_evaluation = true,
                group_method = "random", seed = 7, workers = 1, reduce_lr_patience = int.MaxValue / 2,
                snapshot_path = Path.Combine(root, precision), precision = precision,
            }, _ => { });
            var train = new CsvGenerator(trainCsv, classes, options: session.generator_options(training: true));
            var steps = new StepLosses();
            var result = session.train(train, null, _ => new Callback[] { steps });
            Assert.That(steps.losses, Has.Count.EqualTo(Steps));
            return (steps.losses, result.models.model);
        }
    }

    [OneTimeTearDown]
    public void Clean() => Directory.Delete(root, true);

    /// <summary>
    /// The band: bf16 and fp32 see the same batches, so every 10-step mean of the bf16 losses lies within 10 % of
    /// fp32's (bf16's 8-bit products move each step's loss by well under 1 % early on; the runs drift apart slowly),
    /// and both runs learn (the last 10 steps' mean is below 80 % of the first 10's).
    /// </summary>
    [Test]
    public void Bf16Training_FollowsTheFp32LossCurve_WithinTenPercentPerTenSteps()
    {
        var report = string.Join("\n", Enumerable.Range(0, Steps / 10).Select(w =>
            $"steps {10 * w + 1}-{10 * w + 10}: fp32 {fp32Losses.Skip(10 * w).Take(10).Average():0.0000} bf16 {bf16Losses.Skip(10 * w).Take(10).Average():0.0000}"));
        TestContext.Out.WriteLine(report);
        TestContext.Out.WriteLine(string.Join(" ", fp32Losses.Select(l => l.ToString("0.000"))));
        TestContext.Out.WriteLine(string.Join(" ", bf16Losses.Select(l => l.ToString("0.000"))));
        Assert.That(bf16Losses[0], Is.EqualTo(fp32Losses[0]).Within(1).Percent, "first step, same weights and batch");
        for (int w = 0; w < Steps / 10; w++)
        {
            var fp32 = fp32Losses.Skip(10 * w).Take(10).Average();
            var bf16 = bf16Losses.Skip(10 * w).Take(10).Average();
            Assert.That(bf16, Is.EqualTo(fp32).Within(10).Percent, $"steps {10 * w + 1}-{10 * w + 10}\n{report}");
        }
        foreach (var losses in new[] { fp32Losses, bf16Losses })
            Assert.That(losses.TakeLast(10).Average(), Is.LessThan(0.8 * losses.Take(10).Average()), report);
    }

    /// <summary>
    /// Issue 19: boxes within 1 px, scores within 0.01, at least 20 detections compared. Compared without NMS (every
    /// anchor's box of its class scoring 0.05 or more, best 300): a briefly trained model scores neighbouring anchors
    /// nearly alike, so which of two near-ties NMS keeps is a coin toss in any precision, while each anchor's box and
    /// score is the number bf16 must keep. Every fp32 detection has a bf16 one of its class within the bounds, and the
    /// other way round, above the other side's cut-off plus 0.01 (a detection just under it on one side may sit just
    /// over it on the other).
    /// </summary>
    [Test]
    public void Bf16Inference_OfTheTrainedModel_GivesTheFp32Detections()
    {
        var model = models.convert_model(fp32Training, nms: false, score_threshold: 0.05, max_detections: MaxDetections);
        var detector = new Detector(model, l => ShapesDataset.Classes[l], "caffe", new ImageSizing(ImageSize, ImageSize));
        int compared = 0;
        try
        {
            foreach (var image in validationImages)
            {
                detector.dtype_policy = DTypePolicy.Float32;
                var fp32 = detector.detect(image, min_score: 0);
                detector.dtype_policy = DTypePolicy.MixedBFloat16;
                var bf16 = detector.detect(image, min_score: 0);
                compared += AssertMatched(fp32, bf16, "fp32", image) + AssertMatched(bf16, fp32, "bf16", image);
            }
        }
        finally { detector.dtype_policy = DTypePolicy.Float32; }
        TestContext.Out.WriteLine($"{compared / 2} detections compared (each way, on average)");
        Assert.That(compared / 2, Is.GreaterThanOrEqualTo(20), "detections compared");
    }

    /// <summary>
    /// <c>retinanet predict --precision bf16</c> runs the model in bf16 (here, with fast bf16, or fp32 after a warning
    /// without it) and reports detections; the ONNX engine refuses the flag with a one-line error.
    /// </summary>
    [Test]
    public void PredictCommand_PrecisionBf16_ReportsDetections_AndOnnxRefusesIt()
    {
        var inference = Path.Combine(root, "inference.h5");
        models.convert_model(fp32Training, score_threshold: 0.05).save(inference);
        var json = Path.Combine(root, "bf16.json");
        var (code, stdout, stderr) = RetinaNet.Tests.Train.Cli.CliRunner.Run("predict", inference, validationImages[0], "--backbone", "resnet18_16",
            "--image-min-side", "128", "--image-max-side", "128", "--score-threshold", "0.05", "--precision", "bf16", "--output", json);
        Assert.That(code, Is.Zero, stderr + stdout);
        Assert.That(System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))![0]!["detections"]!.AsArray(), Is.Not.Empty);
        if (!BFloat16Support.IsFast()) Assert.That(stderr, Does.Contain("running fp32"));

        var onnx = RetinaNet.Tests.Train.Cli.CliRunner.Run("predict", Path.Combine(root, "model.onnx"), validationImages[0], "--precision", "bf16");
        Assert.That(onnx.exitCode, Is.EqualTo(1));
        Assert.That(onnx.stderr, Does.Contain("--precision bf16 applies to the torch engine"));
    }

    /// <summary>Each detection of <paramref name="from"/> scoring 0.05+ has a counterpart in <paramref name="to"/>; returns how many.</summary>
    static int AssertMatched(List<DetectedObject> from, List<DetectedObject> to, string side, string image)
    {
        var cutoff = (to.Count == MaxDetections ? Math.Max(0.05, to.Min(o => o.score)) : 0.05) + 0.01;
        var count = 0;
        foreach (var d in from.Where(d => d.score >= cutoff))
        {
            var match = to.Any(o => o.label == d.label && Math.Abs(o.score - d.score) <= 0.01
                && Math.Abs(o.x1 - d.x1) <= 1 && Math.Abs(o.y1 - d.y1) <= 1 && Math.Abs(o.x2 - d.x2) <= 1 && Math.Abs(o.y2 - d.y2) <= 1);
            Assert.That(match, Is.True,
                $"{Path.GetFileName(image)}: {side} detection {d} has no counterpart within 1 px and 0.01 among\n{string.Join("\n", to)}");
            count++;
        }
        return count;
    }
}
