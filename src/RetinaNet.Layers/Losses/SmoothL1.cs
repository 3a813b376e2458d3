using TorchSharp;
using System.Text.Json.Nodes;
using RetinaNet.Core;
using static TorchSharp.torch;

namespace RetinaNet.Layers;

/// <summary>
/// keras-retinanet's smooth L1 regression loss (<c>losses.smooth_l1()</c>, saved as <c>_smooth_l1</c>).
/// <c>y_true</c> (B, N, 4+1): regression targets plus the anchor state in the last column; <c>y_pred</c> (B, N, 4).
/// Over positive anchors only (state 1), with d = |pred - target|: <c>0.5·σ²·d²</c> if <c>d &lt; 1/σ²</c>, else
/// <c>d - 0.5/σ²</c>; the sum is divided by the number of positive anchors in the batch, at least 1.
/// </summary>
/// <param name="sigma">Where the loss turns from quadratic to linear (at |d| = 1/σ²).</param>
public class SmoothL1(double sigma = 3.0) : Loss("_smooth_l1")
{
    /// <summary>Transition parameter σ.</summary>
    public double sigma { get; } = sigma;

    /// <inheritdoc/>
    public override Tensor call(Tensor y_true, Tensor y_pred)
    {
        using var scope = NewDisposeScope();
        double sigma_squared = sigma * sigma;
        long values = y_true.shape[^1] - 1;
        var anchor_state = y_true.select(-1, values);
        // Scalars held for the process or until the call ends (see HeldScalar); x - c is computed as x + (-c).
        var positive = anchor_state.eq(HeldScalar.One);
        var regression = y_pred[positive];
        var regression_target = y_true.narrow(-1, 0, values)[positive];

        var regression_diff = (regression - regression_target).abs();
        var regression_loss = where(regression_diff.lt(HeldScalar.Of(1.0 / sigma_squared)),
            regression_diff.pow(HeldScalar.Of(2)).mul(HeldScalar.Of(0.5 * sigma_squared)),
            regression_diff.add(HeldScalar.Of(-0.5 / sigma_squared), HeldScalar.One));

        using var normalizer = ((double)Math.Max(1, regression.shape[0])).ToScalar();
        return regression_loss.sum().div(normalizer).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["sigma"] = sigma;
        return config;
    }
}
