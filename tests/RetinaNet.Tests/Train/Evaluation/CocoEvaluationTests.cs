using RetinaNet.Train.Evaluation;

namespace RetinaNet.Tests.Train.Evaluation;

/// <summary>
/// pycocotools COCOeval('bbox') semantics, worked out by hand in the comments. Notation: per IoU threshold the
/// detections are ranked by score, rc = cumTP / #counted objects, pr = cumTP / (cumTP + cumFP + 2^-52); the precision
/// envelope is taken from the right, and each of the 101 recall thresholds r = 0, 0.01, … 1 takes the envelope at the
/// first rank with rc ≥ r (0 when recall never reaches r). AP averages over the 10 IoU thresholds × 101 recall
/// thresholds; AR averages the final rc over the IoU thresholds.
/// Because of the 2^-52 term a single TP ranked first has precision 1/(1 + 2^-52), written p1 below.
/// </summary>
public class CocoEvaluationTests
{
    private static readonly double P1 = 1 / (1 + Math.Pow(2, -52));
    private const int Cat = 1;

    private static CocoAnnotation Gt(long image, double x, double y, double w, double h, bool crowd = false, double? area = null) =>
        new(image, Cat, new CocoBox(x, y, w, h), area, crowd);

    private static CocoDetection Dt(long image, double x, double y, double w, double h, double score) =>
        new(image, Cat, new CocoBox(x, y, w, h), score);

    private static CocoDetection Dt(CocoAnnotation on, double score) => new(on.ImageId, on.CategoryId, on.Bbox, score);

    [Test]
    public void PerfectDetections_GiveOne_AndMinusOneForEmptyAreaRange()
    {
        // Image 1: a small object (20×20 = 400 ≤ 32²); image 2: a medium one (50×50 = 2500). Both found exactly.
        // all: ranked TP, TP → rc [.5, 1], pr [p1, 2/(2 + 2^-52) = 1] → envelope [1, 1] → every q = 1 → AP = AR = 1.
        // small: image 2's object is ignored, its detection matches it and is ignored too → AP = p1, AR = 1.
        // medium likewise. large: no object → -1 for AP and AR.
        // AR1: one detection per image is all there is → 1.
        var small = Gt(1, 10, 10, 20, 20);
        var medium = Gt(2, 0, 0, 50, 50);
        var result = CocoEvaluation.Evaluate([small, medium], [Dt(small, 0.9), Dt(medium, 0.8)]);

        double[] expected = [1, 1, 1, P1, P1, -1, 1, 1, 1, 1, 1, -1];
        Assert.That(result.Stats, Is.EqualTo(expected).Within(1e-12));
        Assert.That(result.SummaryLines[0], Is.EqualTo(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000"));
        Assert.That(result.SummaryLines[1], Is.EqualTo(" Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 1.000"));
        Assert.That(result.SummaryLines[5], Is.EqualTo(" Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = -1.000"));
        Assert.That(result.SummaryLines[6], Is.EqualTo(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 1.000"));
        Assert.That(result.SummaryLines[10], Is.EqualTo(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 1.000"));
    }

    [Test]
    public void DetectionAtIoU06_CountsForThresholds050To060Only()
    {
        // Object 10×10, detection its top 10×6: IoU = 60 / (60 + 100 - 60) = 0.6 exactly; np.linspace gives the
        // third threshold as exactly 0.6 and a match needs IoU ≥ threshold, so it matches at 0.50, 0.55, 0.60.
        // At those 3 thresholds: rc [1], pr [p1] → all 101 q = p1. At the other 7: an unmatched FP → rc [0], pr [0]
        // → q = 0. AP = 3·101·p1 / (10·101) = 0.3·p1; AP50 = p1; AP75 = 0; AR = (1+1+1+0·7)/10 = 0.3.
        var gt = Gt(1, 0, 0, 10, 10);
        var result = CocoEvaluation.Evaluate([gt], [Dt(1, 0, 0, 10, 6, 0.9)]);

        Assert.That(result.Stats[0], Is.EqualTo(3 * 101 * P1 / 1010).Within(1e-12));
        Assert.That(result.Stats[1], Is.EqualTo(P1).Within(1e-12));
        Assert.That(result.Stats[2], Is.EqualTo(0.0));
        Assert.That(result.Stats[3], Is.EqualTo(3 * 101 * P1 / 1010).Within(1e-12)); // 100 px² is small
        Assert.That(result.Stats[8], Is.EqualTo(0.3).Within(1e-12));
        Assert.That(result.SummaryLines[0], Does.EndWith("] = 0.300"));
        Assert.That(result.SummaryLines[2], Does.EndWith("] = 0.000"));
    }

    [Test]
    public void SmallMediumLargeSplit()
    {
        // One image: S 16×16 (256, small), M 50×50 (2500, medium), L 100×100 (10000, large), far apart.
        // Detections: S exactly (0.9), a 50×50 false positive F (0.8) far from all, L exactly (0.7). M is missed.
        //
        // all (3 objects): ranked TP, FP, TP → rc [1/3, 1/3, 2/3], pr [p1, 1/2, 2/3] → envelope [p1, 2/3, 2/3].
        //   r = 0…0.33 (34 thresholds) → first rank with rc ≥ r is 0 → p1;
        //   r = 0.34…0.66 (33) → rank 2 → 2/3;  r = 0.67…1 (34) → 0.
        //   AP = (34·1 + 33·2/3) / 101 = 56/101 at every IoU threshold; AR = 2/3.
        // small (only S counts): F is unmatched and 2500 > 32² → ignored; L matches the ignored object L → ignored.
        //   → one TP: AP = p1, AR = 1.
        // medium (only M counts): S and L match ignored objects → ignored; F is unmatched, its area is medium → FP.
        //   → rc stays 0: AP = 0, AR = 0.
        // large (only L counts): S matches ignored S, F is outside the range → both ignored; L → TP.
        //   → rc [0, 0, 1], pr [0, 0, p1] → envelope p1 everywhere: AP = p1, AR = 1.
        // AR1: only the best detection (S) per image → rc = 1/3. AR10 = AR100 = 2/3.
        var s = Gt(1, 0, 0, 16, 16);
        var m = Gt(1, 100, 0, 50, 50);
        var l = Gt(1, 200, 0, 100, 100);
        var result = CocoEvaluation.Evaluate([s, m, l], [Dt(s, 0.9), Dt(1, 400, 400, 50, 50, 0.8), Dt(l, 0.7)]);

        double ap = (34 * P1 + 33 * (2 / (3 + Math.Pow(2, -52)))) / 101;
        double[] expected = [ap, ap, ap, P1, 0, P1, 1.0 / 3, 2.0 / 3, 2.0 / 3, 1, 0, 1];
        Assert.That(result.Stats, Is.EqualTo(expected).Within(1e-12));
        Assert.That(result.Categories, Is.EqualTo(new[] { new CocoCategoryResult(Cat, 3, result.Stats[0]) }));
    }

    [Test]
    public void AreaField_DecidesTheRange()
    {
        // A 16×16 box whose annotation area says 5000 is a medium object. Its exact detection (256 px²) matches it:
        // in "small" the object is ignored and so is the detection → no counted object → -1;
        // in "medium" it is a TP (matched detections are not ignored for their own area) → p1.
        var gt = Gt(1, 0, 0, 16, 16, area: 5000);
        var result = CocoEvaluation.Evaluate([gt], [Dt(gt, 0.9)]);
        Assert.That(result.Stats[3], Is.EqualTo(-1.0));
        Assert.That(result.Stats[4], Is.EqualTo(P1).Within(1e-12));
    }

    [Test]
    public void MaxDets1_LimitsRecall()
    {
        // Two objects in one image, both found (0.9, 0.8).
        // maxDets 100: rc [.5, 1], pr [p1, 1] → envelope 1 → AP = 1, AR100 = AR10 = 1.
        // maxDets 1: only the 0.9 detection → rc [.5], pr [p1] → AR1 = 0.5;
        //   its AP: r = 0…0.50 (51 thresholds) → p1, the other 50 → 0 → 51·p1/101 per IoU threshold.
        var a = Gt(1, 0, 0, 10, 10);
        var b = Gt(1, 20, 0, 10, 10);
        var result = CocoEvaluation.Evaluate([a, b], [Dt(a, 0.9), Dt(b, 0.8)]);

        Assert.That(result.Stats[6], Is.EqualTo(0.5).Within(1e-12));
        Assert.That(result.Stats[7], Is.EqualTo(1.0).Within(1e-12));
        Assert.That(result.Stats[8], Is.EqualTo(1.0).Within(1e-12));
        Assert.That(result.Stats[0], Is.EqualTo(1.0).Within(1e-12));

        Assert.That(result.Parameters.MaxDetections[0], Is.EqualTo(1));
        double sum = 0;
        for (int t = 0; t < 10; t++)
            for (int r = 0; r < 101; r++) sum += result.Precision[t, r, 0, 0, 0];
        Assert.That(sum / 1010, Is.EqualTo(51 * P1 / 101).Within(1e-12));
    }

    [Test]
    public void CrowdRegion_AbsorbsDetections_AndIsNotCounted()
    {
        // Object A and a crowd region C (100×100 at 50,50). Two 20×20 detections inside C score above A's exact one.
        // Crowd IoU divides by the detection's own area: 400 / 400 = 1 (ordinary IoU would be 400 / 10000 = 0.04).
        // Both match C (a crowd can take any number of matches) and are ignored; C itself is not an object.
        // Ranked: ignored, ignored, TP → rc [0, 0, 1], pr [0, 0, p1] → envelope p1 → AP = p1, AR = 1.
        // (Were C an ordinary object, the two would be FPs ranked first: pr [0, 0, 1/3] → AP ≈ 1/3.)
        var a = Gt(1, 0, 0, 10, 10);
        var crowd = Gt(1, 50, 50, 100, 100, crowd: true);
        var inside1 = Dt(1, 60, 60, 20, 20, 0.95);
        var inside2 = Dt(1, 100, 100, 20, 20, 0.9);

        Assert.That(inside1.Bbox.IoU(crowd.Bbox, crowd: true), Is.EqualTo(1.0));
        Assert.That(inside1.Bbox.IoU(crowd.Bbox, crowd: false), Is.EqualTo(0.04).Within(1e-15));

        var result = CocoEvaluation.Evaluate([a, crowd], [inside1, inside2, Dt(a, 0.8)]);
        Assert.That(result.Stats[0], Is.EqualTo(P1).Within(1e-12));
        Assert.That(result.Stats[8], Is.EqualTo(1.0).Within(1e-12));
        Assert.That(result.Categories[0].Instances, Is.EqualTo(1));
    }

    [Test]
    public void OnlyGivenImagesAreEvaluated()
    {
        // keras-retinanet sets params.imgIds to the processed images: the unprocessed image's object is not missed.
        var first = Gt(1, 0, 0, 10, 10);
        var second = Gt(2, 0, 0, 10, 10);
        var all = CocoEvaluation.Evaluate([first, second], [Dt(first, 0.9)]);
        var processed = CocoEvaluation.Evaluate([first, second], [Dt(first, 0.9)], imageIds: [1]);

        Assert.That(all.Stats[8], Is.EqualTo(0.5).Within(1e-12));   // one of two objects found
        Assert.That(processed.Stats[8], Is.EqualTo(1.0).Within(1e-12));
        Assert.That(processed.ImageIds, Is.EqualTo(new long[] { 1 }));
    }

    [Test]
    public void CategoryWithoutGroundTruth_IsMinusOne_AndLeftOutOfStats()
    {
        var gt = Gt(1, 0, 0, 10, 10);
        var stray = new CocoDetection(1, 2, new CocoBox(50, 50, 10, 10), 0.99);
        var result = CocoEvaluation.Evaluate([gt], [Dt(gt, 0.9), stray], categoryIds: [1, 2]);

        Assert.That(result.Categories[1], Is.EqualTo(new CocoCategoryResult(2, 0, -1)));
        Assert.That(result.Stats[0], Is.EqualTo(P1).Within(1e-12));
    }

    [Test]
    public void StatTags_AreKerasRetinaNetCocoEvalKeys()
    {
        // The keys of keras_retinanet/callbacks/coco.py.
        string[] expected =
        [
            "AP @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]",
            "AP @[ IoU=0.50      | area=   all | maxDets=100 ]",
            "AP @[ IoU=0.75      | area=   all | maxDets=100 ]",
            "AP @[ IoU=0.50:0.95 | area= small | maxDets=100 ]",
            "AP @[ IoU=0.50:0.95 | area=medium | maxDets=100 ]",
            "AP @[ IoU=0.50:0.95 | area= large | maxDets=100 ]",
            "AR @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ]",
            "AR @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ]",
            "AR @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]",
            "AR @[ IoU=0.50:0.95 | area= small | maxDets=100 ]",
            "AR @[ IoU=0.50:0.95 | area=medium | maxDets=100 ]",
            "AR @[ IoU=0.50:0.95 | area= large | maxDets=100 ]",
        ];
        var gt = Gt(1, 0, 0, 10, 10);
        Assert.That(CocoEvaluation.Evaluate([gt], [Dt(gt, 0.9)]).StatTags, Is.EqualTo(expected));
    }

    [Test]
    public void Linspace_MatchesNumpy()
    {
        // numpy: linspace(.5, .95, 10)[8] is 8·((0.95 - 0.5)/9) + 0.5 = 0.8999999999999999.
        var thresholds = CocoParameters.Linspace(0.5, 0.95, 10);
        Assert.That(thresholds[2], Is.EqualTo(0.6));
        Assert.That(thresholds[8], Is.EqualTo(0.8999999999999999));
        Assert.That(thresholds[9], Is.EqualTo(0.95));
        Assert.That(CocoParameters.Linspace(0, 1, 101)[50], Is.EqualTo(0.5));
    }
}
