using TorchSharp;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>Normal distribution N(mean, stddev²).</summary>
public class RandomNormal(double mean = 0.0, double stddev = 0.05, int? seed = null) : Initializer
{
    /// <summary>Mean.</summary>
    public double mean { get; } = mean;
    /// <summary>Standard deviation.</summary>
    public double stddev { get; } = stddev;
    /// <summary>Seed, or null.</summary>
    public int? seed { get; } = seed;

    /// <inheritdoc/>
    public override Tensor call(long[] shape, ScalarType dtype = ScalarType.Float32)
    {
        using var g = MakeGenerator(seed);
        using var x = randn(shape, dtype: dtype, generator: g);
        using var scale = stddev.ToScalar();
        using var shift = mean.ToScalar();
        using var scaled = x.mul(scale);
        return scaled.add(shift, HeldScalar.One);
    }

    /// <inheritdoc/>
    public override JsonObject get_config() => new() { ["mean"] = mean, ["stddev"] = stddev, ["seed"] = seed };
}

/// <summary>Uniform distribution on [minval, maxval).</summary>
public class RandomUniform(double minval = -0.05, double maxval = 0.05, int? seed = null) : Initializer
{
    /// <summary>Lower bound.</summary>
    public double minval { get; } = minval;
    /// <summary>Upper bound.</summary>
    public double maxval { get; } = maxval;
    /// <summary>Seed, or null.</summary>
    public int? seed { get; } = seed;

    /// <inheritdoc/>
    public override Tensor call(long[] shape, ScalarType dtype = ScalarType.Float32)
    {
        using var g = MakeGenerator(seed);
        using var x = rand(shape, dtype: dtype, generator: g);
        using var range = (maxval - minval).ToScalar();
        using var shift = minval.ToScalar();
        using var scaled = x.mul(range);
        return scaled.add(shift, HeldScalar.One);
    }

    /// <inheritdoc/>
    public override JsonObject get_config() => new() { ["minval"] = minval, ["maxval"] = maxval, ["seed"] = seed };
}

/// <summary>Normal distribution truncated at two standard deviations (values outside are redrawn).</summary>
public class TruncatedNormal(double mean = 0.0, double stddev = 0.05, int? seed = null) : Initializer
{
    /// <summary>Mean.</summary>
    public double mean { get; } = mean;
    /// <summary>Standard deviation before truncation.</summary>
    public double stddev { get; } = stddev;
    /// <summary>Seed, or null.</summary>
    public int? seed { get; } = seed;

    /// <inheritdoc/>
    public override Tensor call(long[] shape, ScalarType dtype = ScalarType.Float32)
    {
        using var g = MakeGenerator(seed);
        return TruncatedNormalSample(shape, mean, stddev, dtype, g);
    }

    /// <inheritdoc/>
    public override JsonObject get_config() => new() { ["mean"] = mean, ["stddev"] = stddev, ["seed"] = seed };
}
