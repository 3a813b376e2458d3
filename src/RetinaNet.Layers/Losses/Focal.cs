using System.Text.Json.Nodes;
using RetinaNet.Core;
using static TorchSharp.torch;

namespace RetinaNet.Layers;

/// <summary>
/// keras-retinanet's focal loss (<c>losses.focal()</c>, saved as <c>_focal</c>).
/// <c>y_true</c> (B, N, C+1): one-hot labels plus the anchor state (-1 ignore, 0 background, 1 object) in the last
/// column; <c>y_pred</c> (B, N, C): sigmoid scores. Over the anchors that are not ignored:
/// <c>α_t · w^γ · BCE(labels, p)</c> with <c>α_t = α</c> and <c>w = 1 - p</c> where the label is above
/// <paramref name="cutoff"/>, else <c>1 - α</c> and <c>p</c>; BCE is Keras' (p clipped to [1e-7, 1 - 1e-7], plus 1e-7
/// inside the logs). The sum is divided by the number of positive anchors in the batch, at least 1.
/// </summary>
/// <param name="alpha">Weight of the positive class.</param>
/// <param name="gamma">Focusing exponent.</param>
/// <param name="cutoff">Labels above this count as positive (for soft targets).</param>
public class Focal(double alpha = 0.25, double gamma = 2.0, double cutoff = 0.5) : Loss("_focal")
{
    /// <summary>Weight of the positive class.</summary>
    public double alpha { get; } = alpha;
    /// <summary>Focusing exponent.</summary>
    public double gamma { get; } = gamma;
    /// <summary>Positive-label cutoff.</summary>
    public double cutoff { get; } = cutoff;

    /// <inheritdoc/>
    public override Tensor call(Tensor y_true, Tensor y_pred)
    {
        using var scope = NewDisposeScope();
        long numClasses = y_true.shape[^1] - 1;
        var anchor_state = y_true.select(-1, numClasses);
        // Scalars held for the process (see HeldScalar); 1 - p is computed as -p + 1 (the same rounding).
        var one = HeldScalar.One;
        var kept = anchor_state.ne(HeldScalar.Of(-1));
        var labels = y_true.narrow(-1, 0, numClasses)[kept];
        var classification = y_pred[kept];

        var positive = labels.gt(HeldScalar.Of(cutoff));
        var alpha_factor = where(positive, full_like(labels, HeldScalar.Of(alpha)), full_like(labels, HeldScalar.Of(1 - alpha)));
        var focal_weight = where(positive, classification.neg().add_(one, one), classification);
        focal_weight = alpha_factor * focal_weight.pow(HeldScalar.Of(gamma));
        var cls_loss = focal_weight * keras.backend.binary_crossentropy(labels, classification);

        var normalizer = anchor_state.eq(one).sum().to(y_pred.dtype).clamp_min(one);
        return (cls_loss.sum() / normalizer).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["alpha"] = alpha;
        config["gamma"] = gamma;
        config["cutoff"] = cutoff;
        return config;
    }
}
