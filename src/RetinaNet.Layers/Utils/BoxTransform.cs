using RetinaNet.Core;
using static TorchSharp.torch;

namespace RetinaNet.Layers.Utils;

/// <summary>
/// keras-retinanet's box coding: <c>bbox_transform</c> (boxes → regression targets against anchors, in
/// <c>utils/anchors.py</c>) and the backend's <c>bbox_transform_inv</c> (deltas → boxes, used by the
/// <c>RegressBoxes</c> layer), corner parametrisation normalised by a mean and std. Import with
/// <c>using static RetinaNet.Layers.Utils.BoxTransform;</c> to call these under keras-retinanet's names.
/// </summary>
public static class BoxTransform
{
    /// <summary>
    /// Regression targets of anchors for boxes (keras-retinanet's corner parametrisation):
    /// <c>((gx1 - ax1)/aw, (gy1 - ay1)/ah, (gx2 - ax2)/aw, (gy2 - ay2)/ah)</c>, then <c>(t - mean) / std</c>.
    /// Defaults: mean 0, std 0.2. Shapes (N, 4) (extra gt columns are ignored); the result has the promoted dtype.
    /// </summary>
    public static Tensor bbox_transform(Tensor anchors, Tensor gt_boxes, double[]? mean = null, double[]? std = null)
    {
        mean = CheckStatistic(mean, 0.0, nameof(mean));
        std = CheckStatistic(std, 0.2, nameof(std));
        using var scope = NewDisposeScope();
        var gt = gt_boxes.narrow(-1, 0, 4);
        var whwh = WidthsHeights(anchors);
        var targets = (gt - anchors) / whwh;
        var meanT = tensor(mean, targets.dtype, targets.device);
        var stdT = tensor(std, targets.dtype, targets.device);
        return ((targets - meanT) / stdT).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Applies regression deltas to boxes (the inverse of <see cref="bbox_transform"/>, keras-retinanet's backend
    /// <c>bbox_transform_inv</c>): <c>x1' = x1 + (d0·std0 + mean0)·w</c>, and likewise for y1 (with h), x2, y2.
    /// Shapes (..., 4), e.g. (B, N, 4); defaults mean 0, std 0.2; computed in the promoted dtype of boxes and deltas.
    /// </summary>
    public static Tensor bbox_transform_inv(Tensor boxes, Tensor deltas, double[]? mean = null, double[]? std = null)
    {
        mean = CheckStatistic(mean, 0.0, nameof(mean));
        std = CheckStatistic(std, 0.2, nameof(std));
        using var scope = NewDisposeScope();
        var meanT = tensor(mean, deltas.dtype, deltas.device);
        var stdT = tensor(std, deltas.dtype, deltas.device);
        var whwh = WidthsHeights(boxes);
        return boxes.add((deltas * stdT).add(meanT, HeldScalar.One) * whwh, HeldScalar.One).MoveToOuterDisposeScope();
    }

    /// <summary>(w, h, w, h) of boxes (..., 4), to scale corner deltas.</summary>
    static Tensor WidthsHeights(Tensor boxes)
    {
        var w = boxes.select(-1, 2) - boxes.select(-1, 0);
        var h = boxes.select(-1, 3) - boxes.select(-1, 1);
        return stack(new[] { w, h, w, h }, -1);
    }

    /// <summary>A mean or std of the box normalisation: four numbers, or the default for each coordinate.</summary>
    internal static double[] CheckStatistic(double[]? values, double fallback, string name)
    {
        if (values is null) return new[] { fallback, fallback, fallback, fallback };
        if (values.Length != 4)
            throw new ArgumentException(
                $"Expected {name} to be a list of 4 numbers (for x1, y1, x2, y2). Received: [{string.Join(", ", values)}]", name);
        return values;
    }
}
