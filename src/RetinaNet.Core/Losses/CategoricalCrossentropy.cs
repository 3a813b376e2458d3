using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// Keras <c>CategoricalCrossentropy</c> on one-hot targets. On probabilities it follows the Keras backend:
/// rescale the predictions to sum to 1 along <c>axis</c>, clip to [ε, 1-ε] (ε = 1e-7), then
/// <c>-Σ y·ln(p)</c>. Label smoothing: <c>y·(1-s) + s/num_classes</c>.
/// </summary>
public class CategoricalCrossentropy : SmoothedCrossentropy
{
    /// <summary>Creates the loss (Keras arguments and defaults).</summary>
    public CategoricalCrossentropy(bool from_logits = false, double label_smoothing = 0, int axis = -1,
        string reduction = "auto", string name = "categorical_crossentropy")
        : base(from_logits, label_smoothing, axis, reduction, name) { }

    /// <inheritdoc/>
    public override Tensor per_sample(Tensor y_true, Tensor y_pred)
    {
        y_true = y_true.to_type(y_pred.dtype);
        if (label_smoothing > 0)
            y_true = y_true.mul(HeldScalar.Of(1 - label_smoothing))
                .add(HeldScalar.Of(label_smoothing / y_pred.shape[axis < 0 ? y_pred.dim() + axis : axis]), HeldScalar.One);
        Tensor logp;
        if (from_logits) logp = y_pred.log_softmax(axis);
        else
        {
            var eps = keras.backend.epsilon();
            logp = (y_pred / y_pred.sum(axis, keepdim: true)).clamp(HeldScalar.Of(eps), HeldScalar.Of(1 - eps)).log();
        }
        return -(y_true * logp).sum(axis);
    }
}
