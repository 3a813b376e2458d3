using TorchSharp;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// Keras' Adamax (tf.keras <c>optimizer_v2</c>, TensorFlow's <c>ApplyAdaMax</c>): <c>m = β₁m + (1-β₁)g</c>,
/// <c>v = max(β₂v, |g|)</c>, <c>var -= lr/(1-β₁ᵗ)·m/(v + ε)</c>.
/// </summary>
public class Adamax : OptimizerV2
{
    /// <summary>
    /// Creates the optimizer (Keras 2 arguments and defaults). <c>lr</c> is Keras 2.2's name for
    /// <c>learning_rate</c>, found in old saved configs; it wins when given.
    /// </summary>
    public Adamax(double learning_rate = 0.001, double beta_1 = 0.9, double beta_2 = 0.999, double epsilon = 1e-7,
        double? clipnorm = null, double? clipvalue = null, double? global_clipnorm = null, double decay = 0,
        string name = "Adamax", double? lr = null)
        : base(name, lr ?? learning_rate, decay, clipnorm, clipvalue, global_clipnorm)
    {
        this.beta_1 = beta_1;
        this.beta_2 = beta_2;
        this.epsilon = epsilon;
    }

    /// <summary>Decay rate of the first moment.</summary>
    public double beta_1 { get; }
    /// <summary>Decay rate of the infinity norm.</summary>
    public double beta_2 { get; }
    /// <summary>Added to the infinity norm in the denominator.</summary>
    public double epsilon { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> slot_names => new[] { "m", "v" };

    /// <inheritdoc/>
    protected override void update_step(Tensor variable, Tensor gradient, IReadOnlyDictionary<string, Tensor> slots,
        double lr, long step)
    {
        // Scalars held for the process or until the step ends (see HeldScalar).
        using var step_size = (-lr / (1 - Math.Pow(beta_1, step))).ToScalar();
        var m = slots["m"];
        var v = slots["v"];
        m.mul_(HeldScalar.Of(beta_1)).add_(gradient, HeldScalar.Of(1 - beta_1));
        v.copy_(maximum(v.mul_(HeldScalar.Of(beta_2)), gradient.abs()));
        variable.addcdiv_(m, v.add(HeldScalar.Of(epsilon), HeldScalar.One), step_size);
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["beta_1"] = beta_1;
        config["beta_2"] = beta_2;
        config["epsilon"] = epsilon;
        return config;
    }
}
