using RetinaNet.Train.Evaluation;

namespace RetinaNet.Tests.Train.Evaluation;

/// <summary>
/// keras-retinanet <c>utils/eval.py</c> semantics. Every expectation is worked out in the comments: the ranked
/// TP/FP sequence, cumulative recall and precision, the precision envelope with sentinels
/// (mrec = [0, r..., 1], mpre = [0, p..., 0]) and the sum of Δrecall × envelope where recall changes.
/// </summary>
public class VocEvaluationTests
{
    private static readonly CornerBox GtA = new(0, 0, 10, 10);
    private static readonly CornerBox GtB = new(20, 20, 30, 30);
    private static readonly CornerBox GtC = new(40, 40, 50, 50);
    private static readonly CornerBox Nowhere = new(100, 100, 110, 110);

    private static EvaluationImage Image(int label, CornerBox[] annotations, params Detection[] detections)
    {
        var image = new EvaluationImage();
        foreach (var box in annotations) image.AddAnnotation(label, box);
        foreach (var detection in detections) image.AddDetection(label, detection);
        return image;
    }

    [Test]
    public void PerfectDetections_GiveApOne()
    {
        // Two images, one object each, found exactly. Ranked: TP, TP.
        // recall [0.5, 1], precision [1, 1]; mrec [0, .5, 1, 1], envelope [1, 1, 1, 0]
        // AP = 0.5·1 + 0.5·1 = 1.
        var images = new[]
        {
            Image(0, [GtA], new Detection(GtA, 0.9)),
            Image(0, [GtB], new Detection(GtB, 0.8)),
        };
        var result = VocEvaluation.Evaluate(images, [0]);
        Assert.That(result[0].AveragePrecision, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(result[0].NumAnnotations, Is.EqualTo(2));
    }

    [Test]
    public void FalsePositiveRankedAboveTruePositive_HalvesAp()
    {
        // One object. Ranked: FP (0.9, nowhere), TP (0.8).
        // cumTP [0, 1], cumFP [1, 1] → recall [0, 1], precision [0, 0.5]
        // mrec [0, 0, 1, 1], mpre [0, 0, .5, 0] → envelope [.5, .5, .5, 0]
        // recall changes only between index 1 and 2: AP = (1 - 0)·0.5 = 0.5.
        var images = new[] { Image(0, [GtA], new Detection(Nowhere, 0.9), new Detection(GtA, 0.8)) };
        Assert.That(VocEvaluation.Evaluate(images, [0])[0].AveragePrecision, Is.EqualTo(0.5).Within(1e-12));
    }

    [Test]
    public void DuplicateDetectionOfSameObject_IsFalsePositive()
    {
        // Two objects A, B. Detections: A (0.9), A again (0.8), B (0.7). The duplicate's best overlap is A, already
        // taken → FP. Ranked: TP, FP, TP.
        // cumTP [1, 1, 2], cumFP [0, 1, 1] → recall [.5, .5, 1], precision [1, .5, 2/3]
        // mrec [0, .5, .5, 1, 1], mpre [0, 1, .5, 2/3, 0] → envelope [1, 1, 2/3, 2/3, 0]
        // AP = (.5 - 0)·1 + (1 - .5)·2/3 = 1/2 + 1/3 = 5/6.
        // (Counted as a TP the duplicate would give precision [1, 1, 1] and AP 1.)
        var images = new[]
        {
            Image(0, [GtA, GtB], new Detection(GtA, 0.9), new Detection(GtA, 0.8), new Detection(GtB, 0.7)),
        };
        Assert.That(VocEvaluation.Evaluate(images, [0])[0].AveragePrecision, Is.EqualTo(5.0 / 6.0).Within(1e-12));
    }

    [Test]
    public void DetectionsRankedGloballyAcrossImages()
    {
        // Image 1: object A found at 0.6. Image 2: FP at 0.9, object B found at 0.5.
        // Global ranking: FP (0.9), TP (0.6), TP (0.5) → recall [0, .5, 1], precision [0, .5, 2/3]
        // mrec [0, 0, .5, 1, 1], mpre [0, 0, .5, 2/3, 0] → envelope [2/3, 2/3, 2/3, 2/3, 0]
        // AP = (.5 - 0)·2/3 + (1 - .5)·2/3 = 2/3.
        var images = new[]
        {
            Image(0, [GtA], new Detection(GtA, 0.6)),
            Image(0, [GtB], new Detection(Nowhere, 0.9), new Detection(GtB, 0.5)),
        };
        Assert.That(VocEvaluation.Evaluate(images, [0])[0].AveragePrecision, Is.EqualTo(2.0 / 3.0).Within(1e-12));
    }

    [Test]
    public void IoUExactlyAtThreshold_IsTruePositive_JustBelowIsNot()
    {
        // Half of A: intersection 50, union 50 + 100 - 50 = 100 → IoU exactly 0.5 ≥ 0.5 → TP → AP 1.
        var half = new CornerBox(0, 0, 10, 5);
        Assert.That(half.IoU(GtA), Is.EqualTo(0.5));
        var atThreshold = VocEvaluation.Evaluate([Image(0, [GtA], new Detection(half, 0.9))], [0]);
        Assert.That(atThreshold[0].AveragePrecision, Is.EqualTo(1.0).Within(1e-12));

        // 4.9 rows: IoU 49/100 < 0.5 → FP; recall stays 0 → AP 0.
        var below = VocEvaluation.Evaluate([Image(0, [GtA], new Detection(new CornerBox(0, 0, 10, 4.9), 0.9))], [0]);
        Assert.That(below[0].AveragePrecision, Is.EqualTo(0.0));
    }

    [Test]
    public void IoU_HasNoPlusOne()
    {
        // [0,0,10,10] vs [5,0,15,10]: intersection 5·10 = 50, union 100 + 100 - 50 = 150 → 1/3
        // (with "+1" pixel widths it would be 6·11 / (121 + 121 - 66) = 66/176).
        Assert.That(new CornerBox(0, 0, 10, 10).IoU(new CornerBox(5, 0, 15, 10)), Is.EqualTo(1.0 / 3.0).Within(1e-15));
        // Touching boxes do not overlap.
        Assert.That(new CornerBox(0, 0, 10, 10).IoU(new CornerBox(10, 0, 20, 10)), Is.EqualTo(0.0));
    }

    [Test]
    public void ClassWithoutAnnotations_ScoresZero_AndIsLeftOutOfMap()
    {
        // Class 0: one object found → AP 1 (n = 1).
        // Class 1: one object, FP ranked first → AP 0.5 (as in FalsePositiveRankedAboveTruePositive).
        // Class 2: detections but no annotations → (0, 0).
        // mAP = (1 + 0.5) / 2 classes with instances = 0.75 (not (1 + 0.5 + 0) / 3 = 0.5).
        var image = new EvaluationImage();
        image.AddAnnotation(0, GtA);
        image.AddDetection(0, new Detection(GtA, 0.9));
        image.AddAnnotation(1, GtB);
        image.AddDetection(1, new Detection(Nowhere, 0.9));
        image.AddDetection(1, new Detection(GtB, 0.8));
        image.AddDetection(2, new Detection(GtC, 0.9));

        var result = VocEvaluation.Evaluate([image], [0, 1, 2]);
        Assert.That(result[2], Is.EqualTo(new ClassAveragePrecision(2, 0, 0)));
        Assert.That(result.Classes.Select(c => c.Label), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(result.MeanAveragePrecision, Is.EqualTo(0.75).Within(1e-12));
    }

    [Test]
    public void WeightedAndUnweightedMap()
    {
        // Class 0: one object found → AP 1, n = 1.
        // Class 1: objects A, B, C; ranked TP (A, 0.9), FP (0.8), TP (B, 0.7); C is missed.
        //   cumTP [1, 1, 2], cumFP [0, 1, 1] → recall [1/3, 1/3, 2/3], precision [1, 1/2, 2/3]
        //   mrec [0, 1/3, 1/3, 2/3, 1], mpre [0, 1, 1/2, 2/3, 0] → envelope [1, 1, 2/3, 2/3, 0]
        //   AP = (1/3)·1 + (2/3 - 1/3)·2/3 + (1 - 2/3)·0 = 1/3 + 2/9 = 5/9, n = 3.
        // Unweighted: (1 + 5/9) / 2 = 7/9.  Weighted: (1·1 + 3·5/9) / (1 + 3) = (8/3) / 4 = 2/3.
        var image = new EvaluationImage();
        image.AddAnnotation(0, GtA);
        image.AddDetection(0, new Detection(GtA, 0.5));
        foreach (var box in new[] { GtA, GtB, GtC }) image.AddAnnotation(1, box);
        image.AddDetection(1, new Detection(GtA, 0.9));
        image.AddDetection(1, new Detection(Nowhere, 0.8));
        image.AddDetection(1, new Detection(GtB, 0.7));

        var result = VocEvaluation.Evaluate([image], [0, 1]);
        Assert.That(result[1].AveragePrecision, Is.EqualTo(5.0 / 9.0).Within(1e-12));
        Assert.That(result.MeanAveragePrecision, Is.EqualTo(7.0 / 9.0).Within(1e-12));
        Assert.That(result.WeightedMeanAveragePrecision, Is.EqualTo(2.0 / 3.0).Within(1e-12));
        Assert.That(result.MeanAveragePrecisionOf(weightedAverage: true), Is.EqualTo(2.0 / 3.0).Within(1e-12));
        Assert.That(result.TotalInstances, Is.EqualTo(4));
    }

    [Test]
    public void ClassWithAnnotationsButNoDetections_HasApZero()
    {
        // No ranking at all: mrec [0, 1], mpre [0, 0] → AP = 1·0 = 0, but the class counts in the mean.
        var result = VocEvaluation.Evaluate([Image(0, [GtA])], [0]);
        Assert.That(result[0], Is.EqualTo(new ClassAveragePrecision(0, 0, 1)));
        Assert.That(result.MeanAveragePrecision, Is.EqualTo(0.0));
    }

    [Test]
    public void NoInstancesAnywhere_MapIsNaN()
    {
        var result = VocEvaluation.Evaluate([Image(0, [], new Detection(GtA, 0.9))], [0]);
        Assert.That(result.MeanAveragePrecision, Is.NaN);
        Assert.That(result.WeightedMeanAveragePrecision, Is.NaN);
    }

    [Test]
    public void InferenceTime_IsMeanPerImage()
    {
        var images = new[] { new EvaluationImage(0.25), new EvaluationImage(0.75), new EvaluationImage(0.5) };
        var result = VocEvaluation.Evaluate(images, [0]);
        Assert.That(result.InferenceTime, Is.EqualTo((0.25 + 0.75 + 0.5) / 3).Within(1e-15));
        Assert.That(result.ImageCount, Is.EqualTo(3));
    }

    [Test]
    public void ComputeAveragePrecision_AllPointInterpolation()
    {
        // recall [.2, .4, .4, .6], precision [1, .5, .6, .3]
        // mrec [0, .2, .4, .4, .6, 1], mpre [0, 1, .5, .6, .3, 0] → envelope [1, 1, .6, .6, .3, 0]
        // changes at 0→.2 (×mpre[1] = 1), .2→.4 (×mpre[2] = .6), .4→.6 (×mpre[4] = .3), .6→1 (×mpre[5] = 0)
        // AP = .2 + .12 + .06 = .38.
        double ap = VocEvaluation.ComputeAveragePrecision([0.2, 0.4, 0.4, 0.6], [1, 0.5, 0.6, 0.3]);
        Assert.That(ap, Is.EqualTo(0.38).Within(1e-12));
    }
}
