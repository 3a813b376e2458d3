using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>
/// Flattens every axis but the batch (Keras <c>Flatten</c>). NHWC tensors flatten in Keras order
/// (height, width, channel), so weights of a following Dense layer from a Keras file line up.
/// </summary>
public class Flatten : Layer
{
    /// <summary>Creates the layer (only channels_last).</summary>
    public Flatten(string? data_format = null, string? name = null, bool trainable = true, string dtype = "float32")
        : base(name, trainable, dtype)
    {
        DataFormat.ChannelsLastOnly(data_format, nameof(Flatten));
        input_spec = new InputSpec { min_ndim = 1 };
    }

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        Tensor x = inputs;
        var rest = x.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        // reshape follows the logical NHWC order whatever the memory layout (a channels-last view stays a view).
        return x.reshape(x.shape[0], rest);
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        Shape s = input_shape;
        long? rest = 1;
        foreach (var d in s.Skip(1)) rest = rest * d;
        return new Shape(s[0], rest);
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["data_format"] = "channels_last";
        return config;
    }
}
