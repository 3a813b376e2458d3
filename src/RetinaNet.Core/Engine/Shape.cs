using System.Collections;
using System.Text;

namespace RetinaNet.Core;

/// <summary>
/// A Keras shape: one entry per axis, batch axis first, <c>null</c> where the size is unknown
/// (Python's <c>None</c>). Shapes at the API are channels-last, e.g. <c>(None, None, None, 3)</c>.
/// </summary>
public sealed class Shape : IReadOnlyList<long?>, IEquatable<Shape>
{
    readonly long?[] dims;

    /// <summary>Creates a shape from its dimensions; <c>null</c> means unknown.</summary>
    public Shape(params long?[] dims) => this.dims = (long?[])dims.Clone();

    /// <summary>Creates a fully known shape.</summary>
    public Shape(IEnumerable<long> dims) => this.dims = dims.Select(d => (long?)d).ToArray();

    /// <summary>The shape of a real tensor.</summary>
    public static Shape Of(TorchSharp.torch.Tensor tensor) => new(tensor.shape);

    /// <summary>Number of axes.</summary>
    public int rank => dims.Length;

    /// <inheritdoc/>
    public int Count => dims.Length;

    /// <summary>Axis size; negative indices count from the end as in Python.</summary>
    public long? this[int index] => dims[index < 0 ? dims.Length + index : index];

    /// <summary>True when every dimension is known.</summary>
    public bool IsFullyDefined => dims.All(d => d.HasValue);

    /// <summary>A copy with one axis replaced (negative indices count from the end).</summary>
    public Shape With(int index, long? value)
    {
        var copy = (long?[])dims.Clone();
        copy[index < 0 ? dims.Length + index : index] = value;
        return new Shape(copy);
    }

    /// <summary>The axes from <paramref name="start"/> on (Python <c>shape[start:]</c>).</summary>
    public Shape Skip(int start) => new(dims.Skip(start).ToArray());

    /// <summary>The dimensions as an array (a copy).</summary>
    public long?[] ToArray() => (long?[])dims.Clone();

    /// <summary>The dimensions as <c>long</c>s; throws if any is unknown.</summary>
    public long[] ToLongArray() =>
        dims.Select(d => d ?? throw new InvalidOperationException($"Shape {this} is not fully defined.")).ToArray();

    /// <summary>True when the two shapes can describe the same tensor (unknown axes match anything).</summary>
    public bool IsCompatibleWith(Shape other) =>
        other.rank == rank && dims.Zip(other.dims).All(p => p.First is null || p.Second is null || p.First == p.Second);

    /// <summary>Python-style text, e.g. <c>(None, 32, 32, 3)</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("(");
        for (int i = 0; i < dims.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(dims[i]?.ToString() ?? "None");
        }
        if (dims.Length == 1) sb.Append(',');
        return sb.Append(')').ToString();
    }

    /// <inheritdoc/>
    public bool Equals(Shape? other) => other is not null && dims.SequenceEqual(other.dims);
    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Shape);
    /// <inheritdoc/>
    public override int GetHashCode() => dims.Aggregate(17, (h, d) => h * 31 + (d?.GetHashCode() ?? -1));
    /// <inheritdoc/>
    public IEnumerator<long?> GetEnumerator() => ((IEnumerable<long?>)dims).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => dims.GetEnumerator();

    /// <summary>Converts an array of dimensions.</summary>
    public static implicit operator Shape(long?[] dims) => new(dims);
    /// <summary>Converts a fully known array of dimensions.</summary>
    public static implicit operator Shape(long[] dims) => new(dims);
}

/// <summary>
/// The input or output shapes of a layer: one shape for a single tensor, several for a list.
/// Converts implicitly from and to <see cref="Shape"/> so single-input layers read naturally.
/// </summary>
public sealed class Shapes : IReadOnlyList<Shape>
{
    readonly Shape[] items;

    /// <summary>True when this stands for a Python list, even of one element.</summary>
    public bool IsList { get; }

    /// <summary>Creates a list of shapes.</summary>
    public Shapes(IEnumerable<Shape> shapes) { items = shapes.ToArray(); IsList = true; }

    Shapes(Shape single) { items = new[] { single }; IsList = false; }

    /// <inheritdoc/>
    public int Count => items.Length;
    /// <summary>The i-th shape.</summary>
    public Shape this[int index] => items[index < 0 ? items.Length + index : index];

    /// <summary>The only shape; throws an error naming the current layer if there are several.</summary>
    public Shape Single() => items.Length == 1
        ? items[0]
        : throw LayerCallContext.WrongInputCount(1, items.Length);

    /// <inheritdoc/>
    public IEnumerator<Shape> GetEnumerator() => ((IEnumerable<Shape>)items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => items.GetEnumerator();

    /// <summary>Text like Keras prints: one shape, or a list of them.</summary>
    public override string ToString() => IsList ? "[" + string.Join(", ", items.Select(s => s.ToString())) + "]" : items[0].ToString();

    /// <summary>Wraps one shape.</summary>
    public static implicit operator Shapes(Shape shape) => new(shape);
    /// <summary>Wraps a list of shapes.</summary>
    public static implicit operator Shapes(Shape[] shapes) => new((IEnumerable<Shape>)shapes);
    /// <summary>Wraps a list of shapes.</summary>
    public static implicit operator Shapes(List<Shape> shapes) => new((IEnumerable<Shape>)shapes);
    /// <summary>The single shape (an error naming the layer if there are several).</summary>
    public static implicit operator Shape(Shapes shapes) => shapes.Single();
}
