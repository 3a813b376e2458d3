using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// A loss written as a function, saved by its name (Keras wraps plain functions the same way; keras-retinanet's
/// <c>_focal</c> and <c>_smooth_l1</c> are such functions). The function may return per-sample losses or
/// already a scalar; either way the result is averaged (Keras' SUM_OVER_BATCH_SIZE), which leaves a scalar unchanged.
/// </summary>
public class LossFunction : ReducedLoss
{
    readonly Func<Tensor, Tensor, Tensor> fn;

    /// <summary>Wraps <paramref name="fn"/>(y_true, y_pred) under <paramref name="name"/>.</summary>
    public LossFunction(Func<Tensor, Tensor, Tensor> fn, string name, string reduction = "auto") : base(name, reduction)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("A loss function needs a name: models save losses by name.");
        this.fn = fn;
    }

    /// <inheritdoc/>
    public override Tensor per_sample(Tensor y_true, Tensor y_pred) => fn(y_true, y_pred);
}
