using RetinaNet.Layers.Utils;
using RetinaNet.Train.Preprocessing;
using static TorchSharp.torch;
using AnchorMath = RetinaNet.Layers.Utils.Anchors;

namespace RetinaNet.Train.Training;

/// <summary>
/// The generator's target step (keras-retinanet's <c>compute_targets</c>): anchors for the padded batch shape,
/// then <c>anchor_targets_bbox</c> against each image's own (unpadded) size. Anchors depend only on the batch
/// shape, so they are cached per shape.
/// </summary>
/// <param name="anchor_params">Anchor sizes, strides, ratios and scales (default keras-retinanet's).</param>
/// <param name="pyramid_levels">Levels, default P3–P7.</param>
/// <param name="shapes_callback">Level sizes for a batch shape: <see cref="AnchorMath.guess_shapes"/> by default,
/// <see cref="PyramidShapes.make_shapes_callback"/> for backbones whose levels are not ceil(dim / 2^level).</param>
public sealed class AnchorTargets(AnchorParameters? anchor_params = null, int[]? pyramid_levels = null, ShapesCallback? shapes_callback = null)
{
    readonly AnchorParameters parameters = anchor_params ?? AnchorParameters.Default;
    readonly int[] levels = pyramid_levels ?? new[] { 3, 4, 5, 6, 7 };
    readonly Dictionary<(long, long), Tensor> cache = new();
    readonly object gate = new();

    /// <summary>The delegate to set as <c>Generator.compute_anchor_targets</c>.</summary>
    public ComputeAnchorTargets Delegate => compute;

    (Tensor regression, Tensor classification) compute(Tensor inputs, IReadOnlyList<Preprocessing.Annotations> annotations,
        IReadOnlyList<(int height, int width)> image_shapes, int num_classes)
    {
        using var scope = NewDisposeScope();
        // A fresh handle on the cached anchors: whatever the target code disposes, the cache keeps its own.
        var anchors = AnchorsFor(inputs.shape[1], inputs.shape[2]).alias();
        var groundTruth = annotations.Select(a => new RetinaNet.Layers.Utils.Annotations(
            a.Count == 0 ? zeros(0, 4, ScalarType.Float64) : tensor(a.bboxes),
            tensor(a.labels))).ToList();
        var shapes = image_shapes.Select(s => new long[] { s.height, s.width }).ToList();
        var (regression, labels) = AnchorMath.anchor_targets_bbox(anchors, shapes, groundTruth, num_classes);
        return (regression.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    Tensor AnchorsFor(long height, long width)
    {
        lock (gate)
        {
            if (!cache.TryGetValue((height, width), out var anchors))
            {
                anchors = AnchorMath.anchors_for_shape(new[] { height, width }, levels, parameters, shapes_callback).DetachFromDisposeScope();
                cache[(height, width)] = anchors;
            }
            return anchors;
        }
    }
}
