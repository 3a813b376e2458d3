using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// A loss computed per sample and then reduced to a scalar, like Keras' <c>LossFunctionWrapper</c>:
/// <see cref="per_sample"/> gives one value per sample (the last axis already reduced), and
/// <see cref="reduction"/> turns those into the scalar that <see cref="call"/> returns.
/// </summary>
public abstract class ReducedLoss : Loss
{
    static readonly string[] reductions = { "auto", "sum_over_batch_size", "sum" };

    /// <summary>Creates the loss; <paramref name="reduction"/> is a Keras reduction key.</summary>
    protected ReducedLoss(string? name, string reduction) : base(name)
    {
        if (!reductions.Contains(reduction))
            throw new ArgumentException(
                $"Invalid Reduction Key: {reduction}. Expected keys are \"{string.Join("\", \"", reductions)}\" " +
                "(\"none\" is not supported: a loss here must return a scalar).");
        this.reduction = reduction;
    }

    /// <summary>
    /// Keras reduction key: <c>auto</c> and <c>sum_over_batch_size</c> average the per-sample losses
    /// (Keras' SUM_OVER_BATCH_SIZE: sum divided by the number of values), <c>sum</c> adds them.
    /// </summary>
    public string reduction { get; }

    /// <summary>The loss of each sample (for <c>y</c> of shape (batch, ..., d), shape (batch, ...)).</summary>
    public abstract Tensor per_sample(Tensor y_true, Tensor y_pred);

    /// <inheritdoc/>
    public override Tensor call(Tensor y_true, Tensor y_pred)
    {
        using var scope = NewDisposeScope();
        var losses = per_sample(y_true, y_pred);
        var reduced = reduction == "sum" ? losses.sum() : losses.mean();
        return reduced.MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["reduction"] = reduction;
        return config;
    }

    /// <summary>
    /// Keras' <c>squeeze_or_expand_dimensions</c>: when one side has an extra trailing axis of size 1
    /// (labels (batch,) against predictions (batch, 1)), that axis is dropped so broadcasting cannot
    /// silently turn the pair into a (batch, batch) matrix. Also casts the targets to the predictions' type.
    /// </summary>
    protected static (Tensor y_true, Tensor y_pred) MatchRanks(Tensor y_true, Tensor y_pred)
    {
        y_true = y_true.to_type(y_pred.dtype);
        if (y_pred.dim() == y_true.dim() + 1 && y_pred.shape[^1] == 1) y_pred = y_pred.squeeze(-1);
        else if (y_true.dim() == y_pred.dim() + 1 && y_true.shape[^1] == 1) y_true = y_true.squeeze(-1);
        return (y_true, y_pred);
    }
}
