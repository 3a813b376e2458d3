using TorchSharp;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// Keras' <c>VarianceScaling</c>: variance <c>scale / n</c> with n = fan_in, fan_out or their mean.
/// "truncated_normal" divides the stddev by 0.87962566103423978 (the stddev of a unit normal truncated at ±2).
/// </summary>
public class VarianceScaling : Initializer
{
    /// <summary>Creates the initializer.</summary>
    public VarianceScaling(double scale = 1.0, string mode = "fan_in", string distribution = "truncated_normal", int? seed = null)
    {
        if (scale <= 0) throw new ArgumentException($"`scale` must be positive float. Received: scale={scale}.");
        if (mode is not ("fan_in" or "fan_out" or "fan_avg"))
            throw new ArgumentException($"Invalid `mode` argument: {mode}. Expected one of fan_in, fan_out, fan_avg.");
        if (distribution == "normal") distribution = "truncated_normal";
        if (distribution is not ("truncated_normal" or "untruncated_normal" or "uniform"))
            throw new ArgumentException($"Invalid `distribution` argument: {distribution}.");
        this.scale = scale;
        this.mode = mode;
        this.distribution = distribution;
        this.seed = seed;
    }

    /// <summary>Scale of the variance.</summary>
    public double scale { get; }
    /// <summary>fan_in, fan_out or fan_avg.</summary>
    public string mode { get; }
    /// <summary>truncated_normal, untruncated_normal or uniform.</summary>
    public string distribution { get; }
    /// <summary>Seed, or null.</summary>
    public int? seed { get; }

    /// <inheritdoc/>
    public override Tensor call(long[] shape, ScalarType dtype = ScalarType.Float32)
    {
        var (fanIn, fanOut) = ComputeFans(shape);
        var n = mode switch { "fan_in" => fanIn, "fan_out" => fanOut, _ => (fanIn + fanOut) / 2.0 };
        var variance = scale / Math.Max(1.0, n);
        using var g = MakeGenerator(seed);
        switch (distribution)
        {
            case "truncated_normal":
                return TruncatedNormalSample(shape, 0, Math.Sqrt(variance) / 0.87962566103423978, dtype, g);
            case "untruncated_normal":
            {
                using var x = randn(shape, dtype: dtype, generator: g);
                using var scale = Math.Sqrt(variance).ToScalar();
                return x.mul(scale);
            }
            default:
            {
                var limit = Math.Sqrt(3.0 * variance);
                using var x = rand(shape, dtype: dtype, generator: g);
                using var scale = (2 * limit).ToScalar();
                using var shift = limit.ToScalar();
                using var scaled = x.mul(scale);
                return scaled.sub(shift);
            }
        }
    }

    /// <inheritdoc/>
    public override JsonObject get_config() => new()
    {
        ["scale"] = scale, ["mode"] = mode, ["distribution"] = distribution, ["seed"] = seed,
    };
}

/// <summary>Glorot (Xavier) uniform: limit sqrt(6 / (fan_in + fan_out)).</summary>
public class GlorotUniform(int? seed = null) : VarianceScaling(1.0, "fan_avg", "uniform", seed)
{
    /// <inheritdoc/>
    public override JsonObject get_config() => new() { ["seed"] = seed };
}

/// <summary>Glorot (Xavier) normal, truncated.</summary>
public class GlorotNormal(int? seed = null) : VarianceScaling(1.0, "fan_avg", "truncated_normal", seed)
{
    /// <inheritdoc/>
    public override JsonObject get_config() => new() { ["seed"] = seed };
}

/// <summary>He normal, truncated: stddev sqrt(2 / fan_in).</summary>
public class HeNormal(int? seed = null) : VarianceScaling(2.0, "fan_in", "truncated_normal", seed)
{
    /// <inheritdoc/>
    public override JsonObject get_config() => new() { ["seed"] = seed };
}

/// <summary>He uniform: limit sqrt(6 / fan_in).</summary>
public class HeUniform(int? seed = null) : VarianceScaling(2.0, "fan_in", "uniform", seed)
{
    /// <inheritdoc/>
    public override JsonObject get_config() => new() { ["seed"] = seed };
}

/// <summary>LeCun normal, truncated: stddev sqrt(1 / fan_in).</summary>
public class LecunNormal(int? seed = null) : VarianceScaling(1.0, "fan_in", "truncated_normal", seed)
{
    /// <inheritdoc/>
    public override JsonObject get_config() => new() { ["seed"] = seed };
}

/// <summary>LeCun uniform: limit sqrt(3 / fan_in).</summary>
public class LecunUniform(int? seed = null) : VarianceScaling(1.0, "fan_in", "uniform", seed)
{
    /// <inheritdoc/>
    public override JsonObject get_config() => new() { ["seed"] = seed };
}
