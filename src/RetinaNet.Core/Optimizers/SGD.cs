using TorchSharp;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// Keras' SGD. Without momentum <c>var -= lr·g</c>. With momentum Keras keeps a velocity that already contains
/// the learning rate: <c>v = momentum·v - lr·g</c>, then <c>var += v</c>, or with Nesterov
/// <c>var += momentum·v - lr·g</c>.
/// </summary>
public class SGD : OptimizerV2
{
    /// <summary>
    /// Creates the optimizer (Keras 2 arguments and defaults). <c>lr</c> is Keras 2.2's name for
    /// <c>learning_rate</c>, found in old saved configs; it wins when given.
    /// </summary>
    public SGD(double learning_rate = 0.01, double momentum = 0, bool nesterov = false, double? clipnorm = null,
        double? clipvalue = null, double? global_clipnorm = null, double decay = 0, string name = "SGD", double? lr = null)
        : base(name, lr ?? learning_rate, decay, clipnorm, clipvalue, global_clipnorm)
    {
        if (momentum < 0 || momentum > 1) throw new ArgumentException($"`momentum` must be between [0, 1]. Received: momentum={momentum}");
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    /// <summary>Momentum factor; 0 disables the velocity slot.</summary>
    public double momentum { get; }
    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool nesterov { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> slot_names => momentum > 0 ? new[] { "momentum" } : Array.Empty<string>();

    /// <inheritdoc/>
    protected override void update_step(Tensor variable, Tensor gradient, IReadOnlyDictionary<string, Tensor> slots,
        double lr, long step)
    {
        // Scalars held until the step ends (see HeldScalar).
        using var step_size = (-lr).ToScalar();
        if (momentum == 0)
        {
            variable.add_(gradient, step_size);
            return;
        }
        var velocity = slots["momentum"];
        var decay = HeldScalar.Of(momentum);
        velocity.mul_(decay).add_(gradient, step_size);
        if (nesterov) variable.add_(velocity, decay).add_(gradient, step_size);
        else variable.add_(velocity, HeldScalar.One);
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["momentum"] = momentum;
        config["nesterov"] = nesterov;
        return config;
    }
}
