using TorchSharp;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// Keras' Adagrad (tf.keras <c>optimizer_v2</c>, TensorFlow's <c>ApplyAdagradV2</c>): the <c>accumulator</c> slot starts
/// at <c>initial_accumulator_value</c>; <c>accumulator += g²</c>, <c>var -= lr·g/(√accumulator + ε)</c>.
/// </summary>
public class Adagrad : OptimizerV2
{
    /// <summary>
    /// Creates the optimizer (Keras 2 arguments and defaults). <c>lr</c> is Keras 2.2's name for
    /// <c>learning_rate</c>, found in old saved configs; it wins when given.
    /// </summary>
    public Adagrad(double learning_rate = 0.001, double initial_accumulator_value = 0.1, double epsilon = 1e-7,
        double? clipnorm = null, double? clipvalue = null, double? global_clipnorm = null, double decay = 0,
        string name = "Adagrad", double? lr = null)
        : base(name, lr ?? learning_rate, decay, clipnorm, clipvalue, global_clipnorm)
    {
        if (initial_accumulator_value < 0)
            throw new ArgumentException($"initial_accumulator_value must be non-negative: {initial_accumulator_value}");
        this.initial_accumulator_value = initial_accumulator_value;
        this.epsilon = epsilon;
    }

    /// <summary>Starting value of every accumulator element.</summary>
    public double initial_accumulator_value { get; }
    /// <summary>Added to √accumulator in the denominator.</summary>
    public double epsilon { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> slot_names => new[] { "accumulator" };

    /// <inheritdoc/>
    protected override double initial_slot_value(string slot) => initial_accumulator_value;

    /// <inheritdoc/>
    protected override void update_step(Tensor variable, Tensor gradient, IReadOnlyDictionary<string, Tensor> slots,
        double lr, long step)
    {
        // Scalars held for the process or until the step ends (see HeldScalar).
        using var step_size = (-lr).ToScalar();
        var accumulator = slots["accumulator"];
        accumulator.addcmul_(gradient, gradient, HeldScalar.One);
        variable.addcdiv_(gradient, accumulator.sqrt().add_(HeldScalar.Of(epsilon), HeldScalar.One), step_size);
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["initial_accumulator_value"] = initial_accumulator_value;
        config["epsilon"] = epsilon;
        return config;
    }
}
