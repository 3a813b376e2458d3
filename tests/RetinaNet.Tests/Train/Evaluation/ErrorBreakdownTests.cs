using RetinaNet.Train.Evaluation;
using static RetinaNet.Tests.Train.Evaluation.ReportCases;

namespace RetinaNet.Tests.Train.Evaluation;

public class ErrorBreakdownTests
{
    // Ground truth: cats A, B, F; dog C. One detection of each TIDE error:
    //   0.9 cat on A: true positive       0.8 cat on A: duplicate
    //   0.7 cat shifted off B (IoU 1/3): localisation (target B)
    //   0.6 cat exactly on the dog C: classification (target C)
    //   0.5 dog on empty background: background
    //   0.4 dog shifted off cat F (IoU 1/3): both (no target) → F is missed.
    // Base: cat (3 boxes) TP, FP, FP, FP → AP 1/3; dog (1 box) FP, FP → AP 0; mAP 1/6.
    // Fix classification: the 0.6 detection becomes the dog's TP → dog AP 1, cat 1/3 → mAP 2/3, gain 1/2.
    // Fix localisation: cat TP, FP, TP, FP → precision 1, 1/2, 2/3, 1/2 at recall 1/3, 1/3, 2/3, 2/3 → AP 1/3 + 1/3·2/3 = 5/9;
    //   mAP 5/18, gain 1/9.
    // Fix missed: cat has 2 boxes → AP 1/2; mAP 1/4, gain 1/12. Removing the duplicate, background or both errors
    //   changes no AP here (no true positive ranks below them), gain 0.
    static readonly EvaluationImage[] Images =
    [
        Image([(Cat, Box(0, 0, 10, 10)), (Cat, Box(20, 0, 30, 10)), (Dog, Box(40, 0, 50, 10)), (Cat, Box(0, 40, 10, 50))],
              [(Cat, Box(0, 0, 10, 10), 0.9), (Cat, Box(0, 0, 10, 10), 0.8), (Cat, Box(25, 0, 35, 10), 0.7),
               (Cat, Box(40, 0, 50, 10), 0.6), (Dog, Box(100, 100, 110, 110), 0.5), (Dog, Box(0, 45, 10, 55), 0.4)]),
    ];

    [Test]
    public void OneErrorOfEachKind_IsCounted_AndEachFixAddsTheHandComputedMap()
    {
        var breakdown = ErrorBreakdown.Compute(Images, [Cat, Dog]);
        Assert.That(breakdown.BaseMeanAveragePrecision, Is.EqualTo(1.0 / 6).Within(1e-12));
        Assert.That(breakdown.Counts, Is.EquivalentTo(new Dictionary<ErrorType, int>
        {
            [ErrorType.Classification] = 1, [ErrorType.Localization] = 1, [ErrorType.Both] = 1,
            [ErrorType.Duplicate] = 1, [ErrorType.Background] = 1, [ErrorType.Missed] = 1,
        }));
        Assert.That(breakdown.MapGain[ErrorType.Classification], Is.EqualTo(0.5).Within(1e-12));
        Assert.That(breakdown.MapGain[ErrorType.Localization], Is.EqualTo(1.0 / 9).Within(1e-12));
        Assert.That(breakdown.MapGain[ErrorType.Missed], Is.EqualTo(1.0 / 12).Within(1e-12));
        Assert.That(breakdown.MapGain[ErrorType.Duplicate], Is.EqualTo(0).Within(1e-12));
        Assert.That(breakdown.MapGain[ErrorType.Background], Is.EqualTo(0).Within(1e-12));
        Assert.That(breakdown.MapGain[ErrorType.Both], Is.EqualTo(0).Within(1e-12));
        Assert.That(breakdown.BaseMeanAveragePrecision, Is.EqualTo(VocEvaluation.Evaluate(Images, [Cat, Dog]).MeanAveragePrecision).Within(1e-15));
    }

    [Test]
    public void RemovingADuplicate_RanksALaterTruePositiveHigher()
    {
        // Cat boxes A and B; detections 0.9 on A, 0.8 on A (duplicate), 0.7 on B.
        // Base: precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1 → AP 1/2 + 1/2·2/3 = 5/6; without the duplicate AP 1: gain 1/6.
        EvaluationImage[] images =
        [
            Image([(Cat, Box(0, 0, 10, 10)), (Cat, Box(20, 0, 30, 10))],
                  [(Cat, Box(0, 0, 10, 10), 0.9), (Cat, Box(0, 0, 10, 10), 0.8), (Cat, Box(20, 0, 30, 10), 0.7)]),
        ];
        var breakdown = ErrorBreakdown.Compute(images, [Cat]);
        Assert.That(breakdown.Counts[ErrorType.Duplicate], Is.EqualTo(1));
        Assert.That(breakdown.MapGain[ErrorType.Duplicate], Is.EqualTo(1.0 / 6).Within(1e-12));
    }
}
