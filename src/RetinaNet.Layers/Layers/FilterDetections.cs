using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Layers.Utils;
using TorchSharp;
using static TorchSharp.torch;

namespace RetinaNet.Layers;

/// <summary>
/// Turns per-anchor boxes and class scores into a fixed-size list of detections per image (keras-retinanet
/// <c>FilterDetections</c>): inputs <c>[boxes (B, N, 4), classification (B, N, C), other...]</c> with each other
/// input (B, N, ...); outputs <c>[boxes (B, D, 4), scores (B, D), labels (B, D) int32, other (B, D, ...)...]</c>
/// with D = max_detections, sorted by descending score and padded with -1.
/// Each image goes through <c>filter_detections</c>.
/// </summary>
/// <param name="nms">Whether to apply non-maximum suppression (default: <see cref="DetectionFilter"/>'s, as for every setting).</param>
/// <param name="class_specific_filter">Filter each class separately (else only each box's best class).</param>
/// <param name="nms_threshold">IoU above which NMS suppresses a box.</param>
/// <param name="score_threshold">Scores must be strictly above this (the prefilter).</param>
/// <param name="max_detections">Detections kept per image (D).</param>
/// <param name="parallel_iterations">Kept for the Keras config (images are processed one after another).</param>
/// <param name="name">Layer name.</param>
/// <param name="trainable">Keras base key (no weights).</param>
/// <param name="dtype">Keras base key.</param>
public class FilterDetections(bool? nms = null, bool? class_specific_filter = null, double? nms_threshold = null,
    double? score_threshold = null, int? max_detections = null, int? parallel_iterations = null,
    string? name = null, bool trainable = true, string dtype = "float32")
    : Layer(name, trainable, dtype)
{
    /// <summary>Creates the layer from the settings as one record.</summary>
    public FilterDetections(DetectionFilter filter, string? name = null)
        : this(filter.nms, filter.class_specific_filter, filter.nms_threshold, filter.score_threshold,
            filter.max_detections, filter.parallel_iterations, name)
    {
    }

    /// <summary>All settings of the layer.</summary>
    public DetectionFilter filter { get; } = DetectionFilter.Of(nms, class_specific_filter, nms_threshold, score_threshold,
        max_detections, parallel_iterations);

    /// <summary>Whether NMS is applied.</summary>
    public bool nms => filter.nms;
    /// <summary>Whether each class is filtered separately.</summary>
    public bool class_specific_filter => filter.class_specific_filter;
    /// <summary>NMS IoU threshold.</summary>
    public double nms_threshold => filter.nms_threshold;
    /// <summary>Score threshold (strict), the prefilter.</summary>
    public double score_threshold => filter.score_threshold;
    /// <summary>Detections per image.</summary>
    public int max_detections => filter.max_detections;
    /// <summary>Keras config value; has no effect here.</summary>
    public int parallel_iterations => filter.parallel_iterations;

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        if (inputs.Count < 2)
            throw new LayerInputException(
                $"Layer '{name}' (FilterDetections) expects [boxes, classification, *other], but it was called on {inputs.Count} input(s).");
        using var scope = NewDisposeScope();
        var perImage = new List<Tensor[]>();
        for (long b = 0; b < inputs[0].shape[0]; b++)
        {
            var other = inputs.Skip(2).Select(o => o[b]).ToList();
            perImage.Add(filter_detections(inputs[0][b], inputs[1][b], other, filter));
        }
        var outputs = Enumerable.Range(0, inputs.Count + 1)
            .Select(i => stack(perImage.Select(r => r[i]), 0).MoveToOuterDisposeScope())
            .ToList();
        return new Tensors(outputs);
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        if (input_shape.Count < 2)
            throw new ArgumentException($"FilterDetections expects [boxes, classification, *other], got {input_shape.Count} input(s).");
        var batch = input_shape[0][0];
        var shapes = new List<Shape>
        {
            new(batch, max_detections, 4),
            new(batch, max_detections),
            new(batch, max_detections),
        };
        shapes.AddRange(input_shape.Skip(2).Select(o => new Shape(new long?[] { batch, max_detections }.Concat(o.Skip(2)).ToArray())));
        return shapes;
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["nms"] = nms;
        config["class_specific_filter"] = class_specific_filter;
        config["nms_threshold"] = nms_threshold;
        config["score_threshold"] = score_threshold;
        config["max_detections"] = max_detections;
        config["parallel_iterations"] = parallel_iterations;
        return config;
    }

    /// <summary>
    /// Detections of one image (keras-retinanet's <c>filter_detections</c>, whose arguments it keeps; each left out
    /// takes <see cref="DetectionFilter"/>'s default). See the overload that takes the settings whole.
    /// </summary>
    /// <param name="boxes">(N, 4) boxes.</param>
    /// <param name="classification">(N, C) scores.</param>
    /// <param name="other">Tensors (N, ...) gathered along with the boxes.</param>
    /// <param name="class_specific_filter">Filter each class separately.</param>
    /// <param name="nms">Apply non-maximum suppression.</param>
    /// <param name="score_threshold">Scores must be strictly above this.</param>
    /// <param name="max_detections">Number of detections returned (D).</param>
    /// <param name="nms_threshold">IoU above which NMS suppresses a box.</param>
    /// <returns><c>[boxes (D, 4), scores (D), labels (D) int32, other (D, ...)...]</c>.</returns>
    public static Tensor[] filter_detections(Tensor boxes, Tensor classification, IReadOnlyList<Tensor>? other = null,
        bool? class_specific_filter = null, bool? nms = null, double? score_threshold = null, int? max_detections = null,
        double? nms_threshold = null) =>
        filter_detections(boxes, classification, other, DetectionFilter.Of(nms, class_specific_filter, nms_threshold,
            score_threshold, max_detections));

    /// <summary>
    /// Detections of one image. Class-specific: for each class, the boxes scoring &gt; the score threshold for it,
    /// reduced by NMS (at most max_detections per class); otherwise each box's best class only, in one pass. Then the
    /// max_detections best (box, class) pairs over all classes, by descending score (ties keep the earlier pair:
    /// class-major, then NMS order), padded with -1.
    /// </summary>
    /// <param name="boxes">(N, 4) boxes.</param>
    /// <param name="classification">(N, C) scores.</param>
    /// <param name="other">Tensors (N, ...) gathered along with the boxes.</param>
    /// <param name="filter">The settings.</param>
    /// <returns><c>[boxes (D, 4), scores (D), labels (D) int32, other (D, ...)...]</c>.</returns>
    public static Tensor[] filter_detections(Tensor boxes, Tensor classification, IReadOnlyList<Tensor>? other, DetectionFilter filter)
    {
        other ??= Array.Empty<Tensor>();
        using var scope = NewDisposeScope();
        // Class-specific: every (box, class) pair competes; otherwise each box with its best class only.
        var (nms, score_threshold, max_detections, nms_threshold) =
            (filter.nms, filter.score_threshold, filter.max_detections, filter.nms_threshold);
        var best = filter.class_specific_filter ? null : classification.argmax(1, keepdim: true);
        var candidates = best is null ? classification : classification.gather(1, best);
        var (boxIndices, columns) = DetectionSelection.Select(boxes, candidates, nms, score_threshold, max_detections, nms_threshold);
        var scores = candidates.reshape(-1).index_select(0, boxIndices.mul(HeldScalar.OfInteger(candidates.shape[1])).add(columns, HeldScalar.OfInteger(1)));
        var labels = best is null ? columns : best.view(-1).index_select(0, boxIndices);

        // top_k: sorted descending, equal scores keep the lower index first.
        long k = Math.Min(max_detections, scores.shape[0]);
        var top = scores.sort(0, descending: true, stable: true).Indices.narrow(0, 0, k);
        var selected = boxIndices.index_select(0, top);

        var results = new List<Tensor>
        {
            PadWithMinusOne(boxes.index_select(0, selected), max_detections),
            PadWithMinusOne(scores.index_select(0, top), max_detections),
            PadWithMinusOne(labels.index_select(0, top).to(ScalarType.Int32), max_detections),
        };
        results.AddRange(other.Select(o => PadWithMinusOne(o.index_select(0, selected), max_detections)));
        return results.Select(r => r.MoveToOuterDisposeScope()).ToArray();
    }

    /// <summary>Pads the first axis to <paramref name="length"/> rows of -1.</summary>
    static Tensor PadWithMinusOne(Tensor values, long length)
    {
        var shape = values.shape.ToArray();
        shape[0] = length;
        var padded = full(shape, HeldScalar.OfInteger(-1), values.dtype, values.device);
        padded.narrow(0, 0, values.shape[0]).copy_(values);
        return padded;
    }
}
