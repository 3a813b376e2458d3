using RetinaNet.Train.Evaluation;

namespace RetinaNet.Tests.Train.Evaluation;

public class EvaluationReportTests
{
    // cat: AP 1 (n 1); dog: AP 5/9 (n 3); bird: no instances.
    // mAP = (1 + 5/9) / 2 = 7/9 = 0.7778; weighted = (1 + 3·5/9) / 4 = 2/3 = 0.6667.
    private static EvaluationReport Report() => new(
        [new("cat", 1, 1.0), new("dog", 3, 5.0 / 9.0), new("bird", 0, 0.0)], imageCount: 2, inferenceTime: 0.02);

    [Test]
    public void MeanAveragePrecision_UnweightedAndWeighted()
    {
        var report = Report();
        Assert.That(report.MeanAveragePrecision, Is.EqualTo(7.0 / 9.0).Within(1e-12));
        Assert.That(report.WeightedMeanAveragePrecision, Is.EqualTo(2.0 / 3.0).Within(1e-12));
        Assert.That(report.TotalInstances, Is.EqualTo(4));
    }

    [Test]
    public void KerasRetinaNetLines()
    {
        Assert.That(Report().ToKerasRetinaNetLines(), Is.EqualTo(new[]
        {
            "1 instances of class cat with average precision: 1.0000",
            "3 instances of class dog with average precision: 0.5556",
            "0 instances of class bird with average precision: 0.0000",
            "Inference time for 2 images: 0.0200",
            "mAP using the weighted average of precisions among classes: 0.6667",
            "mAP: 0.7778",
        }));
    }

    [Test]
    public void NoInstances_SaysSo()
    {
        var report = new EvaluationReport([new("cat", 0, 0.0)], imageCount: 1, inferenceTime: 0.1);
        Assert.That(report.ToKerasRetinaNetLines(), Is.EqualTo(new[]
        {
            "0 instances of class cat with average precision: 0.0000",
            "No test instances found.",
        }));
        Assert.That(report.ToText(), Does.Contain("No test instances found."));
        Assert.That(report.MeanAveragePrecision, Is.NaN);
    }

    [Test]
    public void PlainTextTable()
    {
        var lines = Report().ToText().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Is.EqualTo(new[]
        {
            "Class  Instances      AP",
            "cat            1  1.0000",
            "dog            3  0.5556",
            "bird           0       -",
            "mAP: 0.7778",
            "mAP (weighted by instances): 0.6667",
            "Inference time for 2 images: 0.0200 s per image",
        }));
    }

    [Test]
    public void FromVoc_NamesLabels()
    {
        var result = new VocEvaluationResult(
            [new ClassAveragePrecision(0, 0.5, 2), new ClassAveragePrecision(1, 0, 0)], imageCount: 3, inferenceTime: 0.1);
        var report = EvaluationReport.FromVoc(result, label => label == 0 ? "person" : "car");
        Assert.That(report.Rows, Is.EqualTo(new[] { new EvaluationReportRow("person", 2, 0.5), new EvaluationReportRow("car", 0, 0) }));
        Assert.That(report.ImageCount, Is.EqualTo(3));
        Assert.That(report.InferenceTime, Is.EqualTo(0.1));
    }

    [Test]
    public void FromCoco_UnweightedMeanEqualsStat0()
    {
        // Category 1: one object found at IoU 0.6 (AP 0.3·p1, see CocoEvaluationTests); category 2: found exactly
        // (AP p1). Stat 0 averages all (threshold, recall, category) entries = mean of the two category APs.
        var gts = new[]
        {
            new CocoAnnotation(1, 1, new CocoBox(0, 0, 10, 10)),
            new CocoAnnotation(1, 2, new CocoBox(50, 50, 10, 10)),
        };
        var dts = new[]
        {
            new CocoDetection(1, 1, new CocoBox(0, 0, 10, 6), 0.9),
            new CocoDetection(1, 2, new CocoBox(50, 50, 10, 10), 0.8),
        };
        var coco = CocoEvaluation.Evaluate(gts, dts);
        var report = EvaluationReport.FromCoco(coco, id => $"c{id}");

        double p1 = 1 / (1 + Math.Pow(2, -52));
        Assert.That(report.Rows.Select(r => r.ClassName), Is.EqualTo(new[] { "c1", "c2" }));
        Assert.That(report.Rows[0].AveragePrecision, Is.EqualTo(0.3 * p1).Within(1e-12));
        Assert.That(report.Rows[1].AveragePrecision, Is.EqualTo(p1).Within(1e-12));
        Assert.That(report.MeanAveragePrecision, Is.EqualTo(coco.Stats[0]).Within(1e-12));
    }
}
