using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>
/// Joins a list of tensors along one axis (Keras <c>Concatenate</c>); every other axis must match
/// (unknown sizes match anything). The output size on the axis is the sum, or unknown if any input's is.
/// </summary>
public class Concatenate : Layer
{
    /// <summary>Creates the layer; <paramref name="axis"/> counts the batch axis as 0, negative from the end.</summary>
    public Concatenate(int axis = -1, string? name = null, bool trainable = true, string dtype = "float32")
        : base(name, trainable, dtype) => this.axis = axis;

    /// <summary>The axis to join along.</summary>
    public int axis { get; }

    /// <inheritdoc/>
    public override void build(Shapes input_shape)
    {
        compute_output_shape(input_shape);
        base.build(input_shape);
    }

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        var shapes = inputs.shapes;
        try
        {
            compute_output_shape(shapes);
        }
        catch (ArgumentException e) when (e is not LayerInputException)
        {
            throw new LayerInputException($"Layer '{name}' (Concatenate) cannot be applied to {Describe(shapes, null)}: {e.Message}", e);
        }
        return inputs.Count == 1 ? inputs[0].alias() : cat(inputs.ToArray(), axis);
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        if (!input_shape.IsList || input_shape.Count < 1)
            throw new ArgumentException($"A `Concatenate` layer should be called on a list of at least 1 input. Received: input_shape={input_shape}");
        var rank = input_shape[0].rank;
        var a = axis < 0 ? rank + axis : axis;
        string Mismatch() =>
            $"A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. Received: input_shape={input_shape}";
        if (a < 0 || a >= rank || input_shape.Any(s => s.rank != rank))
            throw new ArgumentException(Mismatch());
        var output = input_shape[0].ToArray();
        foreach (var shape in input_shape.Skip(1))
            for (int i = 0; i < rank; i++)
            {
                if (i == a) output[i] = output[i] + shape[i]; // null stays null
                else if (output[i] is null) output[i] = shape[i];
                else if (shape[i] is long d && d != output[i]) throw new ArgumentException(Mismatch());
            }
        return new Shape(output);
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["axis"] = axis;
        return config;
    }
}
