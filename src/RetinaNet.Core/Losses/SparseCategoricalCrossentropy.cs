using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// Keras <c>SparseCategoricalCrossentropy</c>: targets are class indices (shape (batch, ...) or (batch, ..., 1)),
/// predictions have a class axis last. On probabilities it follows the TensorFlow backend: clip to [ε, 1-ε]
/// (ε = 1e-7), take the log and apply a softmax cross-entropy, i.e. <c>-ln(p_y / Σ p)</c> of the clipped p.
/// </summary>
public class SparseCategoricalCrossentropy : ReducedLoss
{
    /// <summary>Creates the loss (Keras arguments and defaults).</summary>
    public SparseCategoricalCrossentropy(bool from_logits = false, string reduction = "auto",
        string name = "sparse_categorical_crossentropy") : base(name, reduction)
    {
        this.from_logits = from_logits;
    }

    /// <summary>Whether predictions are logits rather than probabilities.</summary>
    public bool from_logits { get; }

    /// <inheritdoc/>
    public override Tensor per_sample(Tensor y_true, Tensor y_pred)
    {
        var labels = y_true.reshape(y_pred.shape[..^1]).to_type(ScalarType.Int64);
        var eps = keras.backend.epsilon();
        var logits = from_logits ? y_pred : y_pred.clamp(HeldScalar.Of(eps), HeldScalar.Of(1 - eps)).log();
        return -logits.log_softmax(-1).gather(-1, labels.unsqueeze(-1)).squeeze(-1);
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["from_logits"] = from_logits;
        return config;
    }
}
