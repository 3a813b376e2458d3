using TorchSharp;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// Keras' RMSprop (tf.keras <c>optimizer_v2</c>). <c>rms = ρ·rms + (1-ρ)g²</c> (centered: <c>mg = ρ·mg + (1-ρ)g</c>,
/// and the denominator uses <c>rms - mg²</c>). Without momentum <c>var -= lr·g/(√denominator + ε)</c>; with momentum
/// TensorFlow's fused kernel puts ε under the root: <c>mom = momentum·mom + lr·g/√(denominator + ε)</c>,
/// <c>var -= mom</c>.
/// </summary>
public class RMSprop : OptimizerV2
{
    /// <summary>
    /// Creates the optimizer (Keras 2 arguments and defaults). <c>lr</c> is Keras 2.2's name for
    /// <c>learning_rate</c>, found in old saved configs; it wins when given.
    /// </summary>
    public RMSprop(double learning_rate = 0.001, double rho = 0.9, double momentum = 0, double epsilon = 1e-7,
        bool centered = false, double? clipnorm = null, double? clipvalue = null, double? global_clipnorm = null,
        double decay = 0, string name = "RMSprop", double? lr = null)
        : base(name, lr ?? learning_rate, decay, clipnorm, clipvalue, global_clipnorm)
    {
        if (momentum < 0 || momentum > 1)
            throw new ArgumentException($"`momentum` must be between [0, 1]. Received: momentum={momentum}");
        this.rho = rho;
        this.momentum = momentum;
        this.epsilon = epsilon;
        this.centered = centered;
    }

    /// <summary>Discount of the running mean square.</summary>
    public double rho { get; }
    /// <summary>Momentum factor; 0 disables the <c>momentum</c> slot.</summary>
    public double momentum { get; }
    /// <summary>Numerical-stability constant.</summary>
    public double epsilon { get; }
    /// <summary>Whether the gradient's running mean is subtracted (the <c>mg</c> slot).</summary>
    public bool centered { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> slot_names
    {
        get
        {
            var names = new List<string> { "rms" };
            if (momentum > 0) names.Add("momentum");
            if (centered) names.Add("mg");
            return names;
        }
    }

    /// <inheritdoc/>
    protected override void update_step(Tensor variable, Tensor gradient, IReadOnlyDictionary<string, Tensor> slots,
        double lr, long step)
    {
        // Scalars held for the process or until the step ends (see HeldScalar).
        var keep = HeldScalar.Of(rho);
        var take = HeldScalar.Of(1 - rho);
        var eps = HeldScalar.Of(epsilon);
        var rms = slots["rms"];
        rms.mul_(keep).addcmul_(gradient, gradient, take);
        var denominator = rms;
        if (centered)
        {
            var mg = slots["mg"];
            mg.mul_(keep).add_(gradient, take);
            denominator = rms.addcmul(mg, mg, HeldScalar.Of(-1));
        }
        if (momentum > 0)
        {
            using var rate = lr.ToScalar();
            var mom = slots["momentum"];
            mom.mul_(HeldScalar.Of(momentum)).addcdiv_(gradient, denominator.add(eps, HeldScalar.One).sqrt_(), rate);
            variable.add_(mom, HeldScalar.Of(-1));
        }
        else
        {
            using var step_size = (-lr).ToScalar();
            variable.addcdiv_(gradient, denominator.sqrt().add_(eps, HeldScalar.One), step_size);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Like Keras, a state list without the leading iteration count (Keras 1 files) starts at step 0.</remarks>
    public override void set_weights(IReadOnlyList<Tensor> values)
    {
        if (values.Count + 1 == weight_names.Count)
        {
            using var zero = tensor(0L);
            base.set_weights(new[] { zero }.Concat(values).ToList());
            return;
        }
        base.set_weights(values);
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["rho"] = rho;
        config["momentum"] = momentum;
        config["epsilon"] = epsilon;
        config["centered"] = centered;
        return config;
    }
}
