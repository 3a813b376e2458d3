using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>Keras <c>MeanSquaredError</c>: per sample <c>mean((y_pred - y_true)², axis=-1)</c>, then averaged.</summary>
public class MeanSquaredError : ReducedLoss
{
    /// <summary>Creates the loss (Keras arguments and defaults).</summary>
    public MeanSquaredError(string reduction = "auto", string name = "mean_squared_error") : base(name, reduction) { }

    /// <inheritdoc/>
    public override Tensor per_sample(Tensor y_true, Tensor y_pred)
    {
        (y_true, y_pred) = MatchRanks(y_true, y_pred);
        return (y_pred - y_true).pow(HeldScalar.OfInteger(2)).mean(new long[] { -1 }); // square() is pow(2) with an unheld 2
    }
}
