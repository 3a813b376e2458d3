using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>Keras <c>MeanAbsoluteError</c>: per sample <c>mean(|y_pred - y_true|, axis=-1)</c>, then averaged.</summary>
public class MeanAbsoluteError : ReducedLoss
{
    /// <summary>Creates the loss (Keras arguments and defaults).</summary>
    public MeanAbsoluteError(string reduction = "auto", string name = "mean_absolute_error") : base(name, reduction) { }

    /// <inheritdoc/>
    public override Tensor per_sample(Tensor y_true, Tensor y_pred)
    {
        (y_true, y_pred) = MatchRanks(y_true, y_pred);
        return (y_pred - y_true).abs().mean(new long[] { -1 });
    }
}
