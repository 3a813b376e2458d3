using TorchSharp;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// Keras' Adam with TensorFlow's update (the ε is added to √v, not to √v̂):
/// <c>lr_t = lr·√(1-β₂ᵗ)/(1-β₁ᵗ)</c>, <c>m = β₁m + (1-β₁)g</c>, <c>v = β₂v + (1-β₂)g²</c>,
/// <c>var -= lr_t·m/(√v + ε)</c>; with amsgrad, <c>v̂ = max(v̂, v)</c> replaces v in the denominator.
/// </summary>
public class Adam : OptimizerV2
{
    /// <summary>
    /// Creates the optimizer (Keras 2 arguments and defaults). <c>lr</c> is Keras 2.2's name for
    /// <c>learning_rate</c>, found in old saved configs; it wins when given.
    /// </summary>
    public Adam(double learning_rate = 0.001, double beta_1 = 0.9, double beta_2 = 0.999, double epsilon = 1e-7,
        bool amsgrad = false, double? clipnorm = null, double? clipvalue = null, double? global_clipnorm = null,
        double decay = 0, string name = "Adam", double? lr = null)
        : base(name, lr ?? learning_rate, decay, clipnorm, clipvalue, global_clipnorm)
    {
        this.beta_1 = beta_1;
        this.beta_2 = beta_2;
        this.epsilon = epsilon;
        this.amsgrad = amsgrad;
    }

    /// <summary>Decay rate of the first moment.</summary>
    public double beta_1 { get; }
    /// <summary>Decay rate of the second moment.</summary>
    public double beta_2 { get; }
    /// <summary>Added to √v in the denominator.</summary>
    public double epsilon { get; }
    /// <summary>Whether the AMSGrad variant (running maximum of v) is used.</summary>
    public bool amsgrad { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> slot_names => amsgrad ? new[] { "m", "v", "vhat" } : new[] { "m", "v" };

    /// <inheritdoc/>
    protected override void update_step(Tensor variable, Tensor gradient, IReadOnlyDictionary<string, Tensor> slots,
        double lr, long step)
    {
        var m = slots["m"];
        var v = slots["v"];
        var lr_t = lr * Math.Sqrt(1 - Math.Pow(beta_2, step)) / (1 - Math.Pow(beta_1, step));
        // Scalars held for the process or until the step ends (see HeldScalar).
        using var step_size = (-lr_t).ToScalar();
        m.mul_(HeldScalar.Of(beta_1)).add_(gradient, HeldScalar.Of(1 - beta_1));
        v.mul_(HeldScalar.Of(beta_2)).addcmul_(gradient, gradient, HeldScalar.Of(1 - beta_2));
        var second = v;
        if (amsgrad)
        {
            var vhat = slots["vhat"];
            vhat.copy_(maximum(vhat, v));
            second = vhat;
        }
        variable.addcdiv_(m, second.sqrt().add_(HeldScalar.Of(epsilon), HeldScalar.One), step_size);
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["beta_1"] = beta_1;
        config["beta_2"] = beta_2;
        config["epsilon"] = epsilon;
        config["amsgrad"] = amsgrad;
        return config;
    }
}
