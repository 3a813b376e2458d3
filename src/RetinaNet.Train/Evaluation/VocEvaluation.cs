namespace RetinaNet.Train.Evaluation;

/// <summary>
/// Pascal VOC-style average precision as keras-retinanet's <c>utils/eval.py</c> computes it for CSV, Pascal VOC and
/// other non-COCO datasets (reference §5.1): greedy matching per image, all-point interpolated AP per class.
/// </summary>
public static class VocEvaluation
{
    /// <summary>keras-retinanet's default <c>--iou-threshold</c>.</summary>
    public const double DefaultIouThreshold = 0.5;

    /// <summary>numpy's <c>finfo(float64).eps</c> (2^-52), the floor of the precision denominator.</summary>
    internal const double Float64Epsilon = 2.220446049250313e-16;

    /// <summary>
    /// Evaluates <paramref name="images"/> for each of <paramref name="labels"/>.
    /// </summary>
    /// <param name="images">Per image: detections and annotations by label, and inference time.</param>
    /// <param name="labels">The class labels to evaluate (keras-retinanet's labels the generator <c>has_label</c>).</param>
    /// <param name="iouThreshold">A detection is a true positive when its best-overlapping annotation has
    /// IoU <c>&gt;=</c> this and was not matched yet.</param>
    public static VocEvaluationResult Evaluate(
        IReadOnlyList<EvaluationImage> images,
        IEnumerable<int> labels,
        double iouThreshold = DefaultIouThreshold)
    {
        var classes = labels.Select(label => EvaluateClass(images, label, iouThreshold)).ToList();
        double inferenceTime = images.Count == 0 ? 0 : images.Sum(i => i.InferenceTime) / images.Count;
        return new VocEvaluationResult(classes, images.Count, inferenceTime);
    }

    private static ClassAveragePrecision EvaluateClass(IReadOnlyList<EvaluationImage> images, int label, double iouThreshold)
    {
        var scores = new List<double>();
        var truePositive = new List<bool>();
        int numAnnotations = 0;

        foreach (var image in images)
        {
            var annotations = image.AnnotationsOf(label);
            numAnnotations += annotations.Count;
            var detected = new HashSet<int>();

            // Matching is greedy in descending score order (the selection step already sorted them; a stable sort
            // keeps that order).
            foreach (var detection in image.DetectionsOf(label).OrderByDescending(d => d.Score))
            {
                scores.Add(detection.Score);
                if (annotations.Count == 0)
                {
                    truePositive.Add(false);
                    continue;
                }

                // np.argmax: the first annotation with the highest overlap. Only that one is considered; if it is
                // already taken the detection is a false positive even when another annotation overlaps enough.
                int best = 0;
                double bestOverlap = detection.Box.IoU(annotations[0]);
                for (int g = 1; g < annotations.Count; g++)
                {
                    double overlap = detection.Box.IoU(annotations[g]);
                    if (overlap > bestOverlap) (best, bestOverlap) = (g, overlap);
                }
                truePositive.Add(bestOverlap >= iouThreshold && detected.Add(best));
            }
        }

        if (numAnnotations == 0) return new ClassAveragePrecision(label, 0, 0);

        // Global ranking by score over all images (numpy's argsort(-scores); stable here).
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToList();
        var recall = new double[order.Count];
        var precision = new double[order.Count];
        double tp = 0, fp = 0;
        for (int k = 0; k < order.Count; k++)
        {
            if (truePositive[order[k]]) tp++; else fp++;
            recall[k] = tp / numAnnotations;
            precision[k] = tp / Math.Max(tp + fp, Float64Epsilon);
        }
        return new ClassAveragePrecision(label, ComputeAveragePrecision(recall, precision), numAnnotations);
    }

    /// <summary>
    /// keras-retinanet's <c>_compute_ap</c> (from py-faster-rcnn, "correct AP"): the area under the precision
    /// envelope, summed where recall changes (all-point interpolation, not the 11-point VOC2007 metric).
    /// </summary>
    /// <param name="recall">Cumulative recall, in ranking order.</param>
    /// <param name="precision">Cumulative precision, in ranking order.</param>
    public static double ComputeAveragePrecision(IReadOnlyList<double> recall, IReadOnlyList<double> precision)
    {
        if (recall.Count != precision.Count)
            throw new ArgumentException($"recall has {recall.Count} values, precision {precision.Count}.");

        // Sentinels: recall 0 → [recall] → 1, precision 0 → [precision] → 0.
        int n = recall.Count + 2;
        var mrec = new double[n];
        var mpre = new double[n];
        mrec[n - 1] = 1;
        for (int i = 0; i < recall.Count; i++)
        {
            mrec[i + 1] = recall[i];
            mpre[i + 1] = precision[i];
        }

        // Precision envelope: monotone non-increasing from the right.
        for (int i = n - 1; i > 0; i--)
            mpre[i - 1] = Math.Max(mpre[i - 1], mpre[i]);

        double ap = 0;
        for (int i = 0; i < n - 1; i++)
            if (mrec[i + 1] != mrec[i])
                ap += (mrec[i + 1] - mrec[i]) * mpre[i + 1];
        return ap;
    }
}
