using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>Mean over height and width (Keras <c>GlobalAveragePooling2D</c>).</summary>
public class GlobalAveragePooling2D : GlobalPooling2D
{
    /// <summary>Creates the layer (Keras arguments and defaults).</summary>
    public GlobalAveragePooling2D(string? data_format = null, bool keepdims = false,
        string? name = null, bool trainable = true, string dtype = "float32")
        : base(data_format, keepdims, name, trainable, dtype) { }

    /// <inheritdoc/>
    protected override Tensor Reduce(Tensor nhwc, long[] axes, bool keepdim) => nhwc.mean(axes, keepdim);
}
