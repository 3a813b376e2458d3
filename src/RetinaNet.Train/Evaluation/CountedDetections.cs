namespace RetinaNet.Train.Evaluation;

/// <summary>
/// The detections evaluation counts (the selection step of keras-retinanet's <c>_get_detections</c>): from one
/// image's network output keep the detections scoring strictly above the counted-score threshold
/// (<c>evaluate --score-threshold</c>), best first, at most <c>max_detections</c> of them, split by class label.
/// Not the model's own prefilter (<c>Layers.DetectionFilter</c>) nor what predict reports (<c>Inference.Detector</c>).
/// </summary>
public static class CountedDetections
{
    /// <summary>keras-retinanet's default <c>evaluate --score-threshold</c>.</summary>
    public const double DefaultScoreThreshold = 0.05;

    /// <summary>keras-retinanet's default <c>--max-detections</c>.</summary>
    public const int DefaultMaxDetections = 100;

    /// <summary>
    /// Selects one image's detections.
    /// </summary>
    /// <param name="boxes">N boxes as <c>x1, y1, x2, y2</c> rows (4N values), already divided by the resize scale.</param>
    /// <param name="scores">N scores (padding rows of the inference model score -1 and are dropped).</param>
    /// <param name="labels">N class labels.</param>
    /// <param name="scoreThreshold">Keep scores <c>&gt;</c> this (strict).</param>
    /// <param name="maxDetections">Keep at most this many, highest scores first.</param>
    /// <returns>Per label, the kept detections in descending score order.</returns>
    public static Dictionary<int, List<Detection>> Select(
        ReadOnlySpan<float> boxes,
        ReadOnlySpan<float> scores,
        ReadOnlySpan<int> labels,
        float scoreThreshold = (float)DefaultScoreThreshold,
        int maxDetections = DefaultMaxDetections)
    {
        if (boxes.Length != 4 * scores.Length || labels.Length != scores.Length)
            throw new ArgumentException(
                $"Expected 4N box values, N scores and N labels; got {boxes.Length}, {scores.Length} and {labels.Length}.");
        ArgumentOutOfRangeException.ThrowIfNegative(maxDetections);

        // The comparison is made in float32, as numpy compares a float32 array with a Python float:
        // a score of exactly 0.05f is not above a threshold of 0.05.
        var kept = new List<int>();
        for (int i = 0; i < scores.Length; i++)
            if (scores[i] > scoreThreshold) kept.Add(i);
        // numpy's argsort(-scores) is not stable; a stable sort keeps equal scores in network order.
        var scoreCopy = scores.ToArray();
        var order = kept.OrderByDescending(i => scoreCopy[i]).Take(maxDetections);

        var byLabel = new Dictionary<int, List<Detection>>();
        foreach (int i in order)
        {
            var detection = new Detection(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3], scores[i]);
            if (!byLabel.TryGetValue(labels[i], out var list)) byLabel[labels[i]] = list = [];
            list.Add(detection);
        }
        return byLabel;
    }
}
