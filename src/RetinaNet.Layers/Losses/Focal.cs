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
    /// <remarks>
    /// Backward keeps one (kept anchors, classes) tensor: the loss and its derivative in the scores are computed
    /// together without autograd, and the result is <c>loss + Σ p·g − Σ p·g</c> (the last term detached), whose value
    /// is the loss bit for bit and whose gradient is <c>g</c>. Composed by autograd, the formula kept about a dozen
    /// such tensors (the weights, the clipped scores, both logarithms and their inputs) until backward.
    /// </remarks>
    public override Tensor call(Tensor y_true, Tensor y_pred)
    {
        using var scope = NewDisposeScope();
        long numClasses = y_true.shape[^1] - 1;
        var anchor_state = y_true.select(-1, numClasses);
        var one = HeldScalar.One;
        var kept = anchor_state.ne(HeldScalar.Of(-1));
        var labels = y_true.narrow(-1, 0, numClasses)[kept];
        var classification = y_pred[kept];
        var normalizer = anchor_state.eq(one).sum().to(y_pred.dtype).clamp_min(one);

        Tensor loss, gradient;
        using (no_grad())
            (loss, gradient) = LossAndGradient(labels, classification.detach(), normalizer);
        if (!classification.requires_grad) return loss.MoveToOuterDisposeScope();
        var linear = (classification * gradient).sum();
        return linear.add(linear.detach(), HeldScalar.Of(-1)).add(loss, one).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The loss (the sum of the focal terms over <paramref name="normalizer"/>) and its derivative in each score
    /// <c>p</c>: <c>α_t·(γ·w^(γ-1)·w'·BCE + w^γ·BCE')</c> with <c>w' = ∓1</c> and <c>BCE' = (1-y)/(1-p̂+ε) − y/(p̂+ε)</c>
    /// where the clip lets <c>p</c> through (p̂ = clip(p)), 0 where it does not, as autograd differentiates the formula.
    /// </summary>
    (Tensor loss, Tensor gradient) LossAndGradient(Tensor labels, Tensor p, Tensor normalizer)
    {
        // Scalars held for the process (see HeldScalar); 1 - p is computed as -p + 1 (the same rounding).
        var one = HeldScalar.One;
        var positive = labels.gt(HeldScalar.Of(cutoff));
        var alpha_factor = where(positive, full_like(labels, HeldScalar.Of(alpha)), full_like(labels, HeldScalar.Of(1 - alpha)));
        var w = where(positive, p.neg().add_(one, one), p);
        var focal_weight = alpha_factor * w.pow(HeldScalar.Of(gamma));
        var bce = keras.backend.binary_crossentropy(labels, p);
        var loss = (focal_weight * bce).sum() / normalizer;

        var eps = HeldScalar.Of(keras.backend.epsilon());
        var clipped = p.clamp(eps, HeldScalar.Of(1 - keras.backend.epsilon()));
        var passes = p.ge(eps).logical_and_(p.le(HeldScalar.Of(1 - keras.backend.epsilon())));
        var dBce = labels.neg().add_(one, one).div_(clipped.neg().add_(one, one).add_(eps, one))
            .add_(labels / clipped.add(eps, one), HeldScalar.Of(-1)).mul_(passes);
        var gradient = focal_weight.mul_(dBce);
        if (gamma != 0)
        {
            // d(w^γ)/dp = γ·w^(γ-1)·(−1 for positives, +1 otherwise).
            var dWeight = w.pow(HeldScalar.Of(gamma - 1)).mul_(HeldScalar.Of(gamma)).mul_(alpha_factor).mul_(bce);
            gradient.add_(where(positive, dWeight.neg(), dWeight), one);
        }
        return (loss, gradient.div_(normalizer));
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
