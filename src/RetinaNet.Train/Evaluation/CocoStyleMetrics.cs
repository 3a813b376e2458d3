namespace RetinaNet.Train.Evaluation;

/// <summary>
/// pycocotools' figures for any dataset type: per-image detections and annotations become COCO lists (image id =
/// index, category = label, area = box area) and go through <see cref="CocoEvaluation"/>.
/// </summary>
public static class CocoStyleMetrics
{
    /// <summary>The COCO evaluation of <paramref name="images"/> over <paramref name="labels"/>.</summary>
    public static CocoEvaluationResult Evaluate(IReadOnlyList<EvaluationImage> images, IReadOnlyList<int> labels)
    {
        var gt = new List<CocoAnnotation>();
        var dt = new List<CocoDetection>();
        for (int i = 0; i < images.Count; i++)
        {
            foreach (var (label, boxes) in images[i].Annotations)
                gt.AddRange(boxes.Select(b => new CocoAnnotation(i, label, b.ToCoco())));
            foreach (var (label, detections) in images[i].Detections)
                dt.AddRange(detections.Select(d => new CocoDetection(i, label, d.Box.ToCoco(), d.Score)));
        }
        return CocoEvaluation.Evaluate(gt, dt, Enumerable.Range(0, images.Count).Select(i => (long)i), labels);
    }
}
