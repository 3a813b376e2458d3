using System.Text.Json.Nodes;
using RetinaNet.Train.Evaluation;
using SkiaSharp;
using static RetinaNet.Tests.Train.Evaluation.ReportCases;

namespace RetinaNet.Tests.Train.Evaluation;

public class DetailedReportTests
{
    string folder = null!;

    [SetUp]
    public void MakeFolder() => folder = Directory.CreateTempSubdirectory("report").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(folder, true);

    // Image 0: a cat found; image 1: a dog missed and a cat detection on background.
    static readonly EvaluationImage[] Images =
    [
        Image([(Cat, Box(2, 2, 30, 30))], [(Cat, Box(2, 2, 30, 30), 0.9)]),
        Image([(Dog, Box(10, 10, 40, 40))], [(Cat, Box(40, 40, 60, 60), 0.7)]),
    ];

    [Test]
    public void FromDetections_KeepsTheVocRows_AndWritesJsonCsvChartsAndWorstImages()
    {
        var report = EvaluationReport.FromDetections(Images, [Cat, Dog], Name);
        Assert.That(report.Rows.Select(r => r.AveragePrecision), Is.EqualTo(new[] { 1.0, 0.0 }));
        var details = report.Details!;
        Assert.That(details.Worst.Select(w => (w.Image, w.Missed, w.FalsePositives)), Is.EqualTo(new[] { (1, 1, 1) }));
        Assert.That(details.Classes[0].AP50To95, Is.EqualTo(1.0).Within(1e-12), "an exact box is found at every COCO IoU");

        var written = report.WriteTo(folder, _ => TorchSharp.torch.zeros(64, 64, 3));
        foreach (var name in new[] { "report.json", "per_class.csv", "pr_curve.png", "f1_curve.png", "precision_curve.png", "recall_curve.png",
                     "confusion_matrix.png", "confusion_matrix_normalized.png", "ap_per_class.png", "error_breakdown.png" })
            Assert.That(File.Exists(Path.Combine(folder, name)), Is.True, name);
        using (var png = SKBitmap.Decode(Path.Combine(folder, "pr_curve.png")))
            Assert.That((png.Width, png.Height), Is.EqualTo((640, 480)));
        var worst = Directory.GetFiles(Path.Combine(folder, "worst"));
        Assert.That(worst.Select(Path.GetFileName), Is.EqualTo(new[] { "00001_missed1_fp1.png" }));
        Assert.That(written, Has.Member(worst[0]));

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "report.json")))!;
        Assert.That(json["mAP"]!.GetValue<double>(), Is.EqualTo(0.5));
        Assert.That(json["classes"]![1]!["name"]!.GetValue<string>(), Is.EqualTo("dog"));
        Assert.That(json["confusion_matrix"]!["counts"]!.ToJsonString(), Is.EqualTo("[[1,0,0],[0,0,1],[1,0,0]]"));
        Assert.That(json["coco"]!["AP"], Is.Not.Null);
        // cat: 1 box, 2 detections (one on background): AP 1, precision 1/2, recall 1, F1 2/3, best F1 1 at 0.9.
        var cat = File.ReadAllLines(Path.Combine(folder, "per_class.csv"))[1].Split(',');
        Assert.That(cat[..4], Is.EqualTo(new[] { "cat", "1", "2", "1" }));
        Assert.That(cat[5..].Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)),
            Is.EqualTo(new[] { 0.5, 1, 2.0 / 3, 0.9, 1 }).Within(1e-12));
    }

    [Test]
    public void Worst_DrawsTruthAndFalsePositivesInTheirColours()
    {
        var details = EvaluationReport.FromDetections(Images, [Cat, Dog], Name).Details!;
        using var bitmap = ReportWriter.Draw(details, 1, TorchSharp.torch.zeros(64, 64, 3));
        Assert.That(bitmap.GetPixel(10, 25), Is.EqualTo(ReportWriter.TruthColor), "the missed dog's left edge");
        Assert.That(bitmap.GetPixel(60, 50), Is.EqualTo(ReportWriter.FalsePositiveColor), "the false positive's right edge");
    }
}
