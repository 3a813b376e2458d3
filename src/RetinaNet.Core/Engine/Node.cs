namespace RetinaNet.Core;

/// <summary>
/// One call of a layer on symbolic inputs: the edge set of the functional graph (Keras' <c>Node</c>).
/// A layer called several times (a shared layer or sub-model) has several nodes.
/// </summary>
public sealed class Node
{
    internal Node(Layer layer, KerasTensors inputs, bool isInput = false)
    {
        this.layer = layer;
        input_tensors = inputs;
        is_input = isInput;
        outputs = new KerasTensors(Array.Empty<KerasTensor>());
    }

    /// <summary>The layer that was called.</summary>
    public Layer layer { get; }

    /// <summary>The symbolic inputs (empty for an input node).</summary>
    public KerasTensors input_tensors { get; }

    /// <summary>The symbolic outputs.</summary>
    public KerasTensors outputs { get; internal set; }

    /// <summary>True for the node of an <see cref="Layers.InputLayer"/>.</summary>
    public bool is_input { get; }

    /// <summary>Position of this node in <c>layer.inbound_nodes</c>.</summary>
    public int node_index => layer.inbound_nodes.IndexOf(this);

    /// <summary>The nodes that produced this node's inputs.</summary>
    public IEnumerable<Node> parent_nodes => input_tensors.Select(t => t.node);
}
