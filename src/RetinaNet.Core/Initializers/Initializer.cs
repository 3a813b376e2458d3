using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// A Keras initializer: <c>call(shape, dtype)</c> returns initial values for a weight of that Keras-layout shape,
/// and <c>get_config()</c> returns its constructor arguments. Custom initializers subclass this.
/// </summary>
public abstract class Initializer
{
    /// <summary>Initial values for a weight of the given shape (Keras layout).</summary>
    public abstract Tensor call(long[] shape, ScalarType dtype = ScalarType.Float32);

    /// <summary>The constructor arguments, for saving.</summary>
    public virtual JsonObject get_config() => new();

    /// <summary><c>{"class_name": ..., "config": ...}</c>, as Keras serializes an initializer.</summary>
    public JsonObject serialize() => new() { ["class_name"] = GetType().Name, ["config"] = get_config() };

    /// <summary>
    /// Resolves an initializer: an instance, a name (<c>"he_normal"</c>, <c>"HeNormal"</c>) or a serialized entry.
    /// Names go through <c>custom_objects</c> first.
    /// </summary>
    public static Initializer Get(object identifier) => identifier switch
    {
        Initializer i => i,
        string s => KerasObjects.Deserialize<Initializer>(JsonValue.Create(s), "initializer"),
        JsonNode n => KerasObjects.Deserialize<Initializer>(n, "initializer"),
        _ => throw new ArgumentException($"Could not interpret initializer identifier: {identifier}"),
    };

    /// <summary>Keras' fan-in and fan-out: for (kh, kw, in, out) kernels the receptive field multiplies in and out.</summary>
    public static (double fanIn, double fanOut) ComputeFans(long[] shape)
    {
        if (shape.Length == 0) return (1, 1);
        if (shape.Length == 1) return (shape[0], shape[0]);
        if (shape.Length == 2) return (shape[0], shape[1]);
        double receptive = 1;
        for (int i = 0; i < shape.Length - 2; i++) receptive *= shape[i];
        return (shape[^2] * receptive, shape[^1] * receptive);
    }

    /// <summary>A generator seeded from <paramref name="seed"/>, or null to use the global one.</summary>
    protected static Generator? MakeGenerator(int? seed) => seed is int s ? new Generator((ulong)s) : null;

    /// <summary>Normal samples truncated to two standard deviations (redrawn, as TensorFlow does).</summary>
    protected static Tensor TruncatedNormalSample(long[] shape, double mean, double stddev, ScalarType dtype, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var x = randn(shape, dtype: dtype, generator: generator);
        while (true)
        {
            var outside = x.abs().gt(HeldScalar.Of(2.0));
            if (!outside.any().item<bool>()) break;
            x = where(outside, randn(shape, dtype: dtype, generator: generator), x);
        }
        using var scale = stddev.ToScalar();
        using var shift = mean.ToScalar();
        return x.mul(scale).add(shift, HeldScalar.One).MoveToOuterDisposeScope();
    }
}
