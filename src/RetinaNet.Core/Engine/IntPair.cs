using System.Text.Json.Nodes;

namespace RetinaNet.Core;

/// <summary>
/// An integer or a pair of integers, as Keras takes for <c>kernel_size</c>, <c>strides</c>, <c>pool_size</c>:
/// write <c>3</c>, <c>(3, 1)</c> or <c>new[] { 3, 1 }</c>. Saved as a two-element list.
/// </summary>
public readonly record struct IntPair(int first, int second)
{
    /// <summary>The same value twice.</summary>
    public static implicit operator IntPair(int value) => new(value, value);
    /// <summary>From a tuple.</summary>
    public static implicit operator IntPair((int, int) value) => new(value.Item1, value.Item2);
    /// <summary>From a one- or two-element array.</summary>
    public static implicit operator IntPair(int[] value) => value.Length switch
    {
        1 => new(value[0], value[0]),
        2 => new(value[0], value[1]),
        _ => throw new ArgumentException($"Expected 1 or 2 integers, got {value.Length}."),
    };

    /// <summary>As a JSON list <c>[first, second]</c>.</summary>
    public JsonArray ToJson() => new(first, second);

    /// <summary>As <c>long[]</c> for libtorch.</summary>
    public long[] ToLongs() => new long[] { first, second };

    /// <inheritdoc/>
    public override string ToString() => $"({first}, {second})";
}
