using TorchSharp;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// Keras' Adadelta (tf.keras <c>optimizer_v2</c>, TensorFlow's <c>ApplyAdadelta</c>):
/// <c>accum_grad = ρ·accum_grad + (1-ρ)g²</c>, <c>update = √(accum_var + ε)/√(accum_grad + ε)·g</c>,
/// <c>accum_var = ρ·accum_var + (1-ρ)update²</c>, <c>var -= lr·update</c>.
/// </summary>
public class Adadelta : OptimizerV2
{
    /// <summary>
    /// Creates the optimizer (Keras 2 arguments and defaults). <c>lr</c> is Keras 2.2's name for
    /// <c>learning_rate</c>, found in old saved configs; it wins when given.
    /// </summary>
    public Adadelta(double learning_rate = 0.001, double rho = 0.95, double epsilon = 1e-7, double? clipnorm = null,
        double? clipvalue = null, double? global_clipnorm = null, double decay = 0, string name = "Adadelta",
        double? lr = null)
        : base(name, lr ?? learning_rate, decay, clipnorm, clipvalue, global_clipnorm)
    {
        this.rho = rho;
        this.epsilon = epsilon;
    }

    /// <summary>Decay rate of both running averages.</summary>
    public double rho { get; }
    /// <summary>Added under both square roots.</summary>
    public double epsilon { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> slot_names => new[] { "accum_grad", "accum_var" };

    /// <inheritdoc/>
    protected override void update_step(Tensor variable, Tensor gradient, IReadOnlyDictionary<string, Tensor> slots,
        double lr, long step)
    {
        // Scalars held for the process or until the step ends (see HeldScalar).
        using var step_size = (-lr).ToScalar();
        var keep = HeldScalar.Of(rho);
        var take = HeldScalar.Of(1 - rho);
        var eps = HeldScalar.Of(epsilon);
        var accum_grad = slots["accum_grad"];
        var accum_var = slots["accum_var"];
        accum_grad.mul_(keep).addcmul_(gradient, gradient, take);
        var update = accum_var.add(eps, HeldScalar.One).sqrt_()
            .mul_(accum_grad.add(eps, HeldScalar.One).rsqrt_()).mul_(gradient);
        variable.add_(update, step_size);
        accum_var.mul_(keep).addcmul_(update, update, take);
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["rho"] = rho;
        config["epsilon"] = epsilon;
        return config;
    }
}
