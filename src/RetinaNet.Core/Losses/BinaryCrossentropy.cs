using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// Keras <c>BinaryCrossentropy</c>. On probabilities it follows the Keras backend exactly: clip p to
/// [ε, 1-ε], then <c>-(y·ln(p+ε) + (1-y)·ln(1-p+ε))</c> with ε = 1e-7; the mean over <c>axis</c> gives the
/// per-sample loss. Label smoothing moves targets towards 0.5: <c>y·(1-s) + s/2</c>.
/// </summary>
public class BinaryCrossentropy : SmoothedCrossentropy
{
    /// <summary>Creates the loss (Keras arguments and defaults).</summary>
    public BinaryCrossentropy(bool from_logits = false, double label_smoothing = 0, int axis = -1,
        string reduction = "auto", string name = "binary_crossentropy")
        : base(from_logits, label_smoothing, axis, reduction, name) { }

    /// <inheritdoc/>
    public override Tensor per_sample(Tensor y_true, Tensor y_pred)
    {
        (y_true, y_pred) = MatchRanks(y_true, y_pred);
        if (label_smoothing > 0)
            y_true = y_true.mul(HeldScalar.Of(1 - label_smoothing)).add(HeldScalar.Of(0.5 * label_smoothing), HeldScalar.One);
        var bce = from_logits
            ? nn.functional.binary_cross_entropy_with_logits(y_pred, y_true, reduction: nn.Reduction.None)
            : keras.backend.binary_crossentropy(y_true, y_pred);
        return bce.mean(new long[] { axis });
    }
}
