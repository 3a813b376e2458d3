using System.Collections;
using TorchSharp;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// The real (eager) inputs or outputs of a layer: one tensor, or a list of them.
/// Converts implicitly from and to <see cref="Tensor"/> so single-input layers read naturally.
/// </summary>
public sealed class Tensors : IReadOnlyList<Tensor>
{
    readonly Tensor[] items;

    /// <summary>True when this stands for a Python list, even of one element.</summary>
    public bool IsList { get; }

    /// <summary>Creates a list of tensors.</summary>
    public Tensors(IEnumerable<Tensor> tensors) { items = tensors.ToArray(); IsList = true; }

    /// <summary>Creates a list of tensors.</summary>
    public Tensors(params Tensor[] tensors) : this((IEnumerable<Tensor>)tensors) { }

    Tensors(Tensor single, bool _) { items = new[] { single }; IsList = false; }

    /// <inheritdoc/>
    public int Count => items.Length;
    /// <summary>The i-th tensor (negative indices count from the end).</summary>
    public Tensor this[int index] => items[index < 0 ? items.Length + index : index];

    /// <summary>The only tensor; throws an error naming the current layer if there are several.</summary>
    public Tensor Single() => items.Length == 1
        ? items[0]
        : throw LayerCallContext.WrongInputCount(1, items.Length);

    /// <summary>The Keras shapes of these tensors.</summary>
    public Shapes shapes => IsList ? new Shapes(items.Select(Shape.Of)) : Shape.Of(items[0]);

    /// <summary>Moves every tensor out of the current dispose scope.</summary>
    public Tensors MoveToOuterDisposeScope()
    {
        foreach (var t in items) t.MoveToOuterDisposeScope();
        return this;
    }

    /// <inheritdoc/>
    public IEnumerator<Tensor> GetEnumerator() => ((IEnumerable<Tensor>)items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => items.GetEnumerator();

    /// <summary>Wraps one tensor.</summary>
    public static implicit operator Tensors(Tensor tensor) => new(tensor, false);
    /// <summary>Wraps a list of tensors.</summary>
    public static implicit operator Tensors(Tensor[] tensors) => new((IEnumerable<Tensor>)tensors);
    /// <summary>Wraps a list of tensors.</summary>
    public static implicit operator Tensors(List<Tensor> tensors) => new((IEnumerable<Tensor>)tensors);
    /// <summary>The single tensor (an error naming the layer if there are several).</summary>
    public static implicit operator Tensor(Tensors tensors) => tensors.Single();
}
