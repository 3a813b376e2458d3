using System.Collections;

namespace RetinaNet.Core;

/// <summary>
/// A symbolic tensor: the output of a layer in a graph under construction (Keras' <c>KerasTensor</c>).
/// It carries a shape and where it came from (<c>_keras_history</c>), never data.
/// </summary>
public sealed class KerasTensor
{
    internal KerasTensor(Shape shape, Node node, int tensorIndex, string dtype = "float32")
    {
        this.shape = shape;
        this.node = node;
        this.tensor_index = tensorIndex;
        this.dtype = dtype;
    }

    /// <summary>The static shape, batch axis first; unknown axes are null.</summary>
    public Shape shape { get; }

    /// <summary>Element type name (Keras dtype), normally <c>float32</c>.</summary>
    public string dtype { get; }

    /// <summary>The node (call of a layer) that produced this tensor.</summary>
    public Node node { get; }

    /// <summary>The layer that produced this tensor.</summary>
    public Layer layer => node.layer;

    /// <summary>Which output of that node this is.</summary>
    public int tensor_index { get; }

    /// <summary>A readable name: <c>layer_name/index</c>.</summary>
    public string name => node.layer.name + (tensor_index == 0 ? "" : $"/{tensor_index}");

    /// <inheritdoc/>
    public override string ToString() => $"<KerasTensor shape={shape}, dtype={dtype}, name={name}>";
}

/// <summary>
/// One or several symbolic tensors, converting implicitly from and to <see cref="KerasTensor"/>.
/// </summary>
public sealed class KerasTensors : IReadOnlyList<KerasTensor>
{
    readonly KerasTensor[] items;

    /// <summary>True when this stands for a Python list, even of one element.</summary>
    public bool IsList { get; }

    /// <summary>Creates a list of symbolic tensors.</summary>
    public KerasTensors(IEnumerable<KerasTensor> tensors) { items = tensors.ToArray(); IsList = true; }

    /// <summary>Creates a list of symbolic tensors.</summary>
    public KerasTensors(params KerasTensor[] tensors) : this((IEnumerable<KerasTensor>)tensors) { }

    KerasTensors(KerasTensor single, bool _) { items = new[] { single }; IsList = false; }

    /// <inheritdoc/>
    public int Count => items.Length;
    /// <summary>The i-th tensor (negative indices count from the end).</summary>
    public KerasTensor this[int index] => items[index < 0 ? items.Length + index : index];

    /// <summary>The only tensor; throws an error naming the current layer if there are several.</summary>
    public KerasTensor Single() => items.Length == 1
        ? items[0]
        : throw LayerCallContext.WrongInputCount(1, items.Length);

    /// <summary>The shapes of these tensors (a list if this is a list).</summary>
    public Shapes shapes => IsList ? new Shapes(items.Select(t => t.shape)) : items[0].shape;

    /// <summary>Shape of the single tensor.</summary>
    public Shape shape => Single().shape;

    /// <inheritdoc/>
    public IEnumerator<KerasTensor> GetEnumerator() => ((IEnumerable<KerasTensor>)items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => items.GetEnumerator();

    /// <inheritdoc/>
    public override string ToString() => IsList ? "[" + string.Join(", ", items.Select(t => t.ToString())) + "]" : items[0].ToString();

    /// <summary>Wraps one tensor.</summary>
    public static implicit operator KerasTensors(KerasTensor tensor) => new(tensor, false);
    /// <summary>Wraps a list.</summary>
    public static implicit operator KerasTensors(KerasTensor[] tensors) => new((IEnumerable<KerasTensor>)tensors);
    /// <summary>Wraps a list.</summary>
    public static implicit operator KerasTensors(List<KerasTensor> tensors) => new((IEnumerable<KerasTensor>)tensors);
    /// <summary>The single tensor (an error naming the layer if there are several).</summary>
    public static implicit operator KerasTensor(KerasTensors tensors) => tensors.Single();
}
