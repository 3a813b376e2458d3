using TorchSharp;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// Keras' Nadam (tf.keras <c>optimizer_v2</c>): Adam with Nesterov momentum and Dozat's momentum schedule
/// <c>μₜ = β₁(1 - ½·0.96^(decay·t))</c>. The running product of the μ is the <c>momentum_cache</c> weight saved after
/// <c>iter</c>. Per step: <c>ĝ = g/(1-Πμ₁..ₜ)</c>, <c>m = β₁m + (1-β₁)g</c>, <c>m̂ = m/(1-Πμ₁..ₜ₊₁)</c>,
/// <c>v = β₂v + (1-β₂)g²</c>, <c>v̂ = v/(1-β₂ᵗ)</c>, <c>var -= lr·((1-μₜ)ĝ + μₜ₊₁m̂)/(√v̂ + ε)</c>.
/// </summary>
/// <remarks>
/// As in Keras, <c>decay</c> only drives the momentum schedule, it does not decay the learning rate, and it is
/// taken from <c>schedule_decay</c> (Keras 1's name) or else 0.004: a config's <c>decay</c> key is written for
/// compatibility but not read back (tf.keras overwrites it the same way).
/// </remarks>
public class Nadam : OptimizerV2
{
    /// <summary>
    /// Creates the optimizer (Keras 2 arguments and defaults). <c>lr</c> is Keras 2.2's name for
    /// <c>learning_rate</c>, found in old saved configs; it wins when given.
    /// </summary>
    public Nadam(double learning_rate = 0.001, double beta_1 = 0.9, double beta_2 = 0.999, double epsilon = 1e-7,
        double? clipnorm = null, double? clipvalue = null, double? global_clipnorm = null, double? decay = null,
        double schedule_decay = 0.004, string name = "Nadam", double? lr = null)
        : base(name, lr ?? learning_rate, schedule_decay, clipnorm, clipvalue, global_clipnorm)
    {
        _ = decay; // accepted so saved configs bind; tf.keras replaces it with schedule_decay
        this.beta_1 = beta_1;
        this.beta_2 = beta_2;
        this.epsilon = epsilon;
    }

    /// <summary>Decay rate of the first moment.</summary>
    public double beta_1 { get; }
    /// <summary>Decay rate of the second moment.</summary>
    public double beta_2 { get; }
    /// <summary>Added to √v̂ in the denominator.</summary>
    public double epsilon { get; }

    /// <summary>Product of the momentum schedule so far (Keras' <c>momentum_cache</c>, starts at 1).</summary>
    public double momentum_cache { get; private set; } = 1;

    double mu_t, mu_next, schedule_new, schedule_next;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> slot_names => new[] { "m", "v" };

    /// <inheritdoc/>
    protected override IReadOnlyList<string> scalar_weight_names => new[] { "momentum_cache" };

    /// <inheritdoc/>
    protected override double[] scalar_weights
    {
        get => new[] { momentum_cache };
        set => momentum_cache = value[0];
    }

    /// <inheritdoc/>
    protected override double decayed_learning_rate() => learning_rate;

    /// <inheritdoc/>
    protected override void prepare_step(long step)
    {
        mu_t = beta_1 * (1 - 0.5 * Math.Pow(0.96, decay * step));
        mu_next = beta_1 * (1 - 0.5 * Math.Pow(0.96, decay * (step + 1)));
        // Keras keeps the cache in the variables' dtype (float32).
        schedule_new = (float)(momentum_cache * mu_t);
        momentum_cache = schedule_new;
        schedule_next = schedule_new * mu_next;
    }

    /// <inheritdoc/>
    protected override void update_step(Tensor variable, Tensor gradient, IReadOnlyDictionary<string, Tensor> slots,
        double lr, long step)
    {
        // Scalars held for the process or until the step ends (see HeldScalar).
        using var gradient_weight = ((1 - mu_t) / (1 - schedule_new)).ToScalar();
        using var moment_weight = (mu_next / (1 - schedule_next)).ToScalar();
        using var step_size = (-lr * Math.Sqrt(1 - Math.Pow(beta_2, step))).ToScalar();
        using var eps = (epsilon * Math.Sqrt(1 - Math.Pow(beta_2, step))).ToScalar();
        var m = slots["m"];
        var v = slots["v"];
        m.mul_(HeldScalar.Of(beta_1)).add_(gradient, HeldScalar.Of(1 - beta_1));
        v.mul_(HeldScalar.Of(beta_2)).addcmul_(gradient, gradient, HeldScalar.Of(1 - beta_2));
        // (1-μₜ)ĝ + μₜ₊₁m̂, and √v̂ + ε = (√v + ε·√(1-β₂ᵗ))/√(1-β₂ᵗ).
        var numerator = gradient.mul(gradient_weight).add_(m, moment_weight);
        variable.addcdiv_(numerator, v.sqrt().add_(eps, HeldScalar.One), step_size);
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
