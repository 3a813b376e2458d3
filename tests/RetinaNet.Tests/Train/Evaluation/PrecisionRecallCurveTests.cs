using RetinaNet.Train.Evaluation;
using static RetinaNet.Tests.Train.Evaluation.ReportCases;

namespace RetinaNet.Tests.Train.Evaluation;

public class PrecisionRecallCurveTests
{
    // Two cats; three detections: 0.9 on the first (TP), 0.8 on nothing (FP), 0.7 on the second (TP).
    // Ranked: precision 1, 1/2, 2/3; recall 1/2, 1/2, 1.
    // AP (all-point): envelope 1 up to recall 1/2, then 2/3 → 1/2·1 + 1/2·2/3 = 5/6.
    static readonly EvaluationImage[] Images =
    [
        Image([(Cat, Box(0, 0, 10, 10)), (Cat, Box(20, 0, 30, 10))],
              [(Cat, Box(0, 0, 10, 10), 0.9), (Cat, Box(50, 50, 60, 60), 0.8), (Cat, Box(20, 0, 30, 10), 0.7)]),
    ];

    static PrecisionRecallCurve Curve()
    {
        var (matches, annotations) = DetectionMatching.MatchClass(Images, Cat);
        return new PrecisionRecallCurve(matches, annotations);
    }

    [Test]
    public void ThreeDetections_GiveTheHandComputedCurveAndAP()
    {
        var curve = Curve();
        Assert.That(curve.Precision, Is.EqualTo(new[] { 1.0, 0.5, 2.0 / 3.0 }).Within(1e-12));
        Assert.That(curve.Recall, Is.EqualTo(new[] { 0.5, 0.5, 1.0 }).Within(1e-12));
        Assert.That(curve.AveragePrecision, Is.EqualTo(5.0 / 6.0).Within(1e-12));
        Assert.That(curve.AveragePrecision, Is.EqualTo(VocEvaluation.Evaluate(Images, [Cat])[Cat].AveragePrecision).Within(1e-15),
            "the report's AP is keras-retinanet's AP");
    }

    [Test]
    public void PrecisionRecallF1_AtAThreshold_CountDetectionsScoringAtLeastIt()
    {
        var curve = Curve();
        Assert.That(curve.At(0.75), Is.EqualTo((0.5, 0.5, 0.5)));
        var (p, r, f1) = curve.At(0.05);
        Assert.That((p, r, f1), Is.EqualTo((2.0 / 3.0, 1.0, 0.8)).Using<(double, double, double)>((a, b) =>
            Math.Abs(a.Item1 - b.Item1) < 1e-12 && Math.Abs(a.Item2 - b.Item2) < 1e-12 && Math.Abs(a.Item3 - b.Item3) < 1e-12));
        Assert.That(curve.At(0.95), Is.EqualTo((0.0, 0.0, 0.0)), "no detection above: precision and recall 0");
    }

    [Test]
    public void BestF1_IsAtTheLowestThresholdHere()
    {
        // F1 at 0.9: P 1, R 1/2 → 2/3; at 0.8: 1/2; at 0.7: 0.8.
        var (threshold, f1) = Curve().BestF1();
        Assert.That(threshold, Is.EqualTo(0.7));
        Assert.That(f1, Is.EqualTo(0.8).Within(1e-12));
    }
}
