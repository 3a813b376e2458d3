using RetinaNet.Layers.Utils;
using RetinaNet.Train.Preprocessing;
using static TorchSharp.torch;

namespace RetinaNet.Train.Training;

/// <summary>
/// The generator's target step (keras-retinanet's <c>compute_targets</c>): anchors for the padded batch shape,
/// then <c>anchor_targets_bbox</c> against each image's own (unpadded) size. Anchors depend only on the batch
/// shape, so they are cached per shape.
/// </summary>
/// <param name="anchors">The anchors (default <see cref="AnchorConfig.Default"/>).</param>
/// <param name="layout">How they are laid out on an input (default <see cref="KerasAnchorLayout.Default"/>); the
/// place for model-computed pyramid shapes or another anchor rule (see <see cref="IAnchorLayout"/>).</param>
/// <param name="targets">How anchors are matched and encoded (default keras-retinanet's
/// <see cref="AnchorMath.anchor_targets_bbox"/>; torchvision RetinaNets use torchvision's).</param>
public sealed class AnchorTargets(AnchorConfig? anchors = null, IAnchorLayout? layout = null,
    Func<Tensor, IReadOnlyList<long[]>, IReadOnlyList<AnnotationTensors>, int, (Tensor, Tensor)>? targets = null)
{
    readonly AnchorConfig config = anchors ?? AnchorConfig.Default;
    readonly IAnchorLayout layout = layout ?? KerasAnchorLayout.Default;
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
        var groundTruth = annotations.Select(a => a.to_tensors()).ToList();
        var shapes = image_shapes.Select(s => new long[] { s.height, s.width }).ToList();
        var (regression, labels) = targets is null
            ? AnchorMath.anchor_targets_bbox(anchors, shapes, groundTruth, num_classes)
            : targets(anchors, shapes, groundTruth, num_classes);
        return (regression.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    Tensor AnchorsFor(long height, long width)
    {
        lock (gate)
        {
            if (!cache.TryGetValue((height, width), out var anchors))
            {
                anchors = layout.anchors_for_shape(new[] { height, width }, config).DetachFromDisposeScope();
                cache[(height, width)] = anchors;
            }
            return anchors;
        }
    }
}
