namespace RetinaNet.Layers;

/// <summary>
/// The settings of <see cref="FilterDetections"/> (keras-retinanet's <c>FilterDetections</c> keyword arguments),
/// with keras-retinanet's defaults written here and nowhere else. The layer's constructor and config keys,
/// <c>FilterDetections.filter_detections</c>, <c>RetinaNetBuilder.retinanet_bbox</c> and <c>models.convert_model</c>
/// keep their Keras-facing arguments (each may be left out) and build one of these with <see cref="Of"/>; each also
/// has an overload that takes the record whole.
/// </summary>
public sealed record DetectionFilter
{
    /// <summary>Apply non-maximum suppression (true).</summary>
    public bool nms { get; init; } = true;

    /// <summary>Filter each class separately; false keeps only each box's best class (true).</summary>
    public bool class_specific_filter { get; init; } = true;

    /// <summary>IoU above which NMS suppresses a box (0.5).</summary>
    public double nms_threshold { get; init; } = 0.5;

    /// <summary>
    /// The prefilter inside the model: only (box, class) scores strictly above this become candidates (0.05).
    /// This is <c>convert-model --score-threshold</c>; it is not the threshold evaluation counts detections with
    /// (<c>Evaluation.EvaluationSelection</c>) nor the one predict reports with (<c>Inference.Detector</c>).
    /// </summary>
    public double score_threshold { get; init; } = 0.05;

    /// <summary>Detections kept per image (300).</summary>
    public int max_detections { get; init; } = 300;

    /// <summary>Kept for the Keras config (32); images are filtered one after another.</summary>
    public int parallel_iterations { get; init; } = 32;

    /// <summary>keras-retinanet's defaults.</summary>
    public static DetectionFilter Default { get; } = new();

    /// <summary>The defaults, overridden by every argument that is given (for the Keras-facing signatures).</summary>
    public static DetectionFilter Of(bool? nms = null, bool? class_specific_filter = null, double? nms_threshold = null,
        double? score_threshold = null, int? max_detections = null, int? parallel_iterations = null) => new()
    {
        nms = nms ?? Default.nms,
        class_specific_filter = class_specific_filter ?? Default.class_specific_filter,
        nms_threshold = nms_threshold ?? Default.nms_threshold,
        score_threshold = score_threshold ?? Default.score_threshold,
        max_detections = max_detections ?? Default.max_detections,
        parallel_iterations = parallel_iterations ?? Default.parallel_iterations,
    };
}
