using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>The entry point of a functional graph; created by <c>keras.Input</c>.</summary>
public class InputLayer : Layer
{
    /// <summary>Creates an input of the given shape (batch axis included, normally null).</summary>
    public InputLayer(Shape? batch_input_shape = null, Shape? batch_shape = null, Shape? input_shape = null,
        long? batch_size = null, string? name = null, string dtype = "float32", bool sparse = false)
        : base(name ?? LayerNames.Unique("input"), true, dtype)
    {
        var shape = batch_shape ?? batch_input_shape
            ?? (input_shape is not null ? new Shape(new long?[] { batch_size }.Concat(input_shape).ToArray()) : null)
            ?? throw new ArgumentException("InputLayer needs a shape (batch_input_shape or batch_shape).");
        this.batch_input_shape = shape;
        built = true;
        var node = new Node(this, new KerasTensors(Array.Empty<KerasTensor>()), isInput: true);
        node.outputs = new KerasTensor(shape, node, 0, dtype);
        inbound_nodes.Add(node);
    }

    /// <summary>The full input shape, batch axis first.</summary>
    public Shape batch_input_shape { get; }

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false) => inputs;

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape) => input_shape;

    /// <inheritdoc/>
    public override JsonObject get_config() => new()
    {
        ["batch_input_shape"] = ConfigBinder.ToJson(batch_input_shape),
        ["dtype"] = dtype,
        ["sparse"] = false,
        ["ragged"] = false,
        ["name"] = name,
    };
}
