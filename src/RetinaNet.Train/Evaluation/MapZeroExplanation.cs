namespace RetinaNet.Train.Evaluation;

/// <summary>
/// Plain-words reasons for a mAP of 0 (or a class AP of 0), from what the evaluation saw: the most frequent
/// question on keras-retinanet's tracker.
/// </summary>
public static class MapZeroExplanation
{
    /// <summary>One sentence per problem found; empty when nothing looks wrong.</summary>
    /// <param name="classes">The per-class figures of the report.</param>
    /// <param name="scoreThreshold">The score threshold detections were kept above.</param>
    /// <param name="totalDetections">Detections over all classes and images (including labels outside <paramref name="classes"/>).</param>
    public static IReadOnlyList<string> Explain(IReadOnlyList<ClassMetrics> classes, double scoreThreshold, int totalDetections)
    {
        var reasons = new List<string>();
        var threshold = PythonFormat.Fixed(scoreThreshold, 2);
        if (classes.All(c => c.Annotations == 0))
            reasons.Add("No class has annotations in this set: there is nothing to score, so mAP is undefined. Check the annotations file and the split evaluated.");
        if (totalDetections == 0)
            reasons.Add($"No detection scored above {threshold}: the model is untrained or trained too briefly, or training diverged (learning rate too high; check that the loss fell). " +
                "If you converted a training snapshot, pass the same --config (anchors) and backbone it was trained with.");
        foreach (var c in classes)
        {
            if (c.Annotations == 0)
                reasons.Add($"Class '{c.ClassName}' has no annotations in this set: its AP is 0 and it is left out of the mAP.");
            else if (totalDetections > 0 && c.Detections == 0)
                reasons.Add($"Class '{c.ClassName}': {c.Annotations} annotation(s) but no detection of this class above {threshold}: the model has not learned it (too few examples, or boxes no anchor fits — run `retinanet diagnose`).");
            else if (c.Detections > 0 && c.AP50 == 0)
                reasons.Add($"Class '{c.ClassName}': {c.Detections} detection(s) but none overlaps a ground-truth box by IoU ≥ 0.5: check the box format (x1,y1,x2,y2 in pixels), " +
                    "that --image-min-side/--image-max-side match training, and the anchors (--config).");
        }
        return reasons;
    }
}
