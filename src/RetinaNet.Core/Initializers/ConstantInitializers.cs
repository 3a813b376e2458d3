using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>All zeros.</summary>
public class Zeros : Initializer
{
    /// <inheritdoc/>
    public override Tensor call(long[] shape, ScalarType dtype = ScalarType.Float32) => zeros(shape, dtype);
}

/// <summary>All ones.</summary>
public class Ones : Initializer
{
    /// <inheritdoc/>
    public override Tensor call(long[] shape, ScalarType dtype = ScalarType.Float32) => ones(shape, dtype);
}

/// <summary>Every element equal to <c>value</c>.</summary>
public class Constant(double value = 0) : Initializer
{
    /// <summary>The fill value.</summary>
    public double value { get; } = value;
    /// <inheritdoc/>
    public override Tensor call(long[] shape, ScalarType dtype = ScalarType.Float32) => full(shape, HeldScalar.Of(value), dtype);
    /// <inheritdoc/>
    public override JsonObject get_config() => new() { ["value"] = value };
}
