using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>
/// Common part of <see cref="GlobalAveragePooling2D"/> and <see cref="GlobalMaxPooling2D"/>: reduces the two spatial
/// axes of NHWC tensors to (N, C), or to (N, 1, 1, C) with <c>keepdims</c>.
/// </summary>
public abstract class GlobalPooling2D : Layer
{
    /// <summary>Stores the configuration shared by global 2-D pooling layers.</summary>
    protected GlobalPooling2D(string? data_format, bool keepdims, string? name, bool trainable, string dtype)
        : base(name, trainable, dtype)
    {
        DataFormat.ChannelsLastOnly(data_format, GetType().Name);
        this.keepdims = keepdims;
        input_spec = new InputSpec { ndim = 4 };
    }

    /// <summary>Whether the spatial axes are kept with size 1.</summary>
    public bool keepdims { get; }

    /// <summary>The reduction over axes 1 and 2 of an NHWC tensor.</summary>
    protected abstract Tensor Reduce(Tensor nhwc, long[] axes, bool keepdim);

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false) =>
        Reduce(inputs, new long[] { 1, 2 }, keepdims);

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        Shape s = input_shape;
        if (s.rank != 4) throw new ArgumentException($"{GetType().Name} expects inputs of rank 4 (NHWC), got shape {s}.");
        return keepdims ? new Shape(s[0], 1, 1, s[3]) : new Shape(s[0], s[3]);
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["data_format"] = "channels_last";
        config["keepdims"] = keepdims;
        return config;
    }
}
