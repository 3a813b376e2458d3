using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>
/// Inverted dropout (Keras <c>Dropout</c>): in training each element is zeroed with probability <c>rate</c> and the
/// rest are scaled by 1/(1−rate), so the expectation is unchanged; outside training it is the identity.
/// <c>noise_shape</c> shares one draw along its size-1 axes (null entries take the input's size).
/// A <c>seed</c> makes the sequence of masks reproducible; it does not reproduce TensorFlow's numbers.
/// </summary>
public class Dropout : Layer
{
    Generator? generator;

    /// <summary>Creates the layer (Keras arguments and defaults).</summary>
    public Dropout(double rate, Shape? noise_shape = null, int? seed = null,
        string? name = null, bool trainable = true, string dtype = "float32")
        : base(name, trainable, dtype)
    {
        if (rate is < 0 or > 1)
            throw new ArgumentException($"Invalid value {rate} received for `rate`, expected a value between 0 and 1.");
        this.rate = rate;
        this.noise_shape = noise_shape;
        this.seed = seed;
    }

    /// <summary>Fraction of the input units to drop.</summary>
    public double rate { get; }
    /// <summary>Shape of the random mask (batch axis included), or null for the input's shape.</summary>
    public Shape? noise_shape { get; }
    /// <summary>Seed for the masks, or null to use libtorch's global generator.</summary>
    public int? seed { get; }

    /// <summary>The mask shape for an input: <see cref="noise_shape"/> with its unknown entries filled in.</summary>
    protected virtual long[] NoiseShape(Tensor x) =>
        noise_shape is null ? x.shape : noise_shape.Select((d, i) => d ?? x.shape[i]).ToArray();

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        Tensor x = inputs;
        if (!training || rate == 0) return x.alias();
        if (rate == 1) return zeros_like(x);
        using var scope = NewDisposeScope();
        // A generator draws on one device; moving the layer's inputs elsewhere restarts the seeded sequence there.
        if (seed is int s && (generator is null || generator.device.type != x.device.type || generator.device.index != x.device.index))
        {
            generator?.Dispose();
            generator = new Generator((ulong)s, x.device);
        }
        var keep = rand(NoiseShape(x), dtype: x.dtype, device: x.device, generator: generator).ge(HeldScalar.Of(rate));
        return (x * keep).mul(HeldScalar.Of(1.0 / (1.0 - rate))).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape) => (Shape)input_shape;

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["rate"] = rate;
        config["noise_shape"] = noise_shape is null ? null : ConfigBinder.ToJson(noise_shape);
        config["seed"] = seed;
        return config;
    }
}
