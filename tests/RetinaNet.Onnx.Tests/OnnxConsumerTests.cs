using System.Text.Json;
using RetinaNet.Inference;

namespace RetinaNet.Onnx.Tests;

/// <summary>An exported model run by a project that has ONNX Runtime and RetinaNet.Onnx only.</summary>
public class OnnxConsumerTests
{
    static readonly (int min, int max)[] Sizings = { (96, 160), (128, 200) };

    sealed record Row(double x1, double y1, double x2, double y2, double score, int label);

    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    static List<List<Row>> Expected() => JsonSerializer.Deserialize<List<List<Row>>>(File.ReadAllText(Fixture("expected.json")))!;

    /// <summary>Same labels, boxes within 1e-3 px, scores within 1e-4; order compared where scores differ by more.</summary>
    static void AssertSame(IReadOnlyList<Row> expected, IReadOnlyList<DetectedObject> actual)
    {
        Assert.That(expected.Count, Is.GreaterThanOrEqualTo(50), "the fixture compares at least 50 detections");
        Assert.That(actual.Count, Is.EqualTo(expected.Count), "number of detections");
        var used = new bool[actual.Count];
        for (int i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            int match = Enumerable.Range(0, actual.Count).FirstOrDefault(j => !used[j] && actual[j].label == e.label
                && Math.Abs(actual[j].score - e.score) <= 1e-4 && Math.Abs(actual[j].x1 - e.x1) <= 1e-3 && Math.Abs(actual[j].y1 - e.y1) <= 1e-3
                && Math.Abs(actual[j].x2 - e.x2) <= 1e-3 && Math.Abs(actual[j].y2 - e.y2) <= 1e-3, -1);
            Assert.That(match, Is.GreaterThanOrEqualTo(0), $"expected detection {i} ({e}) has no counterpart");
            used[match] = true;
            Assert.That(Math.Abs(actual[i].score - e.score), Is.LessThanOrEqualTo(1e-4), $"score order at row {i}");
        }
    }

    [Test]
    public void ImageFile_AtTwoSizesThroughOneFile_GivesTheTorchSharpDetectorsDetections()
    {
        var expected = Expected();
        for (int i = 0; i < Sizings.Length; i++)
        {
            using var detector = new OnnxDetector(Fixture("tiny.onnx"), l => $"class {l}", Sizings[i].min, Sizings[i].max);
            var detections = detector.Detect(Fixture("shapes.png"), scoreThreshold: 0);
            AssertSame(expected[i], detections);
            Assert.That(detections.Select(d => d.class_name), Is.EqualTo(detections.Select(d => $"class {d.label}")));
            // Boxes are on the original image (150x150), not the network input.
            Assert.That(detections.Max(d => Math.Max(d.x2, d.y2)), Is.LessThanOrEqualTo(150));
        }
    }

    [Test]
    public void EncodedBytes_GiveWhatTheFileGives()
    {
        using var detector = new OnnxDetector(Fixture("tiny.onnx"), imageMinSide: 96, imageMaxSide: 160);
        var fromFile = detector.Detect(Fixture("shapes.png"), scoreThreshold: 0.0);
        Assert.That(detector.Detect(File.ReadAllBytes(Fixture("shapes.png")), scoreThreshold: 0.0), Is.EqualTo(fromFile));
    }

    [Test]
    public void ScoreThreshold_KeepsOnlyDetectionsAboveIt()
    {
        using var detector = new OnnxDetector(Fixture("tiny.onnx"), imageMinSide: 96, imageMaxSide: 160);
        var all = detector.Detect(Fixture("shapes.png"), scoreThreshold: 0);
        var threshold = all[all.Count / 2].score;
        var some = detector.Detect(Fixture("shapes.png"), scoreThreshold: threshold);
        Assert.That(some, Is.Not.Empty.And.Count.LessThan(all.Count));
        Assert.That(some.Select(d => d.score), Is.All.GreaterThanOrEqualTo(threshold));
    }

    [Test]
    public void MissingOrBrokenFiles_GiveErrorsThatNameThem()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-model.onnx");
        Assert.That(() => new OnnxDetector(missing), Throws.TypeOf<FileNotFoundException>().With.Message.Contains(missing));
        var broken = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(broken, File.ReadAllBytes(Fixture("tiny.onnx")).Take(1000).ToArray());
            Assert.That(() => new OnnxDetector(broken), Throws.TypeOf<InvalidDataException>().With.Message.Contains(broken));
        }
        finally { File.Delete(broken); }
    }
}
