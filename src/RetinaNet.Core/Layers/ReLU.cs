using System.Text.Json.Nodes;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace RetinaNet.Core.Layers;

/// <summary>
/// Rectified linear unit with options (Keras <c>ReLU</c>): <c>x</c> for <c>x &gt; threshold</c>, clipped to
/// <c>[0, max_value]</c>; <c>negative_slope · (x − threshold)</c> otherwise.
/// </summary>
public class ReLU : Layer
{
    /// <summary>Creates the layer (Keras arguments and defaults).</summary>
    public ReLU(double? max_value = null, double negative_slope = 0.0, double threshold = 0.0,
        string? name = null, bool trainable = true, string dtype = "float32")
        : base(name, trainable, dtype)
    {
        if (max_value < 0)
            throw new ArgumentException($"max_value of a ReLU layer cannot be a negative value. Received: {max_value}");
        if (negative_slope < 0)
            throw new ArgumentException($"negative_slope of a ReLU layer cannot be a negative value. Received: {negative_slope}");
        if (threshold < 0)
            throw new ArgumentException($"threshold of a ReLU layer cannot be a negative value. Received: {threshold}");
        this.max_value = max_value;
        this.negative_slope = negative_slope;
        this.threshold = threshold;
    }

    /// <summary>Upper bound of the output, or null for none.</summary>
    public double? max_value { get; }
    /// <summary>Slope below the threshold.</summary>
    public double negative_slope { get; }
    /// <summary>Values at or below it are "negative".</summary>
    public double threshold { get; }

    internal override bool ReturnsOwnMemory => true;

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        Tensor x = inputs;
        if (threshold == 0 && negative_slope == 0)
            return max_value is double cap ? x.clamp(HeldScalar.Of(0.0), HeldScalar.Of(cap))
                : Overwritable.Contains(x) ? x.relu_() : F.relu(x);
        using var scope = NewDisposeScope();
        // Keras' backend.relu: keep x where x > threshold (strictly), clip, then add the slope part.
        var y = threshold == 0 ? F.relu(x) : x * x.gt(HeldScalar.Of(threshold));
        if (max_value is double max) y = y.clamp(HeldScalar.Of(0.0), HeldScalar.Of(max));
        // threshold - x as TorchSharp writes double - Tensor: (-x) + threshold.
        if (negative_slope != 0)
            y = y - F.relu(x.negative().add(HeldScalar.Of(threshold), HeldScalar.OfInteger(1))).mul(HeldScalar.Of(negative_slope));
        return y.MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape) => (Shape)input_shape;

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["max_value"] = max_value;
        config["negative_slope"] = negative_slope;
        config["threshold"] = threshold;
        return config;
    }
}
