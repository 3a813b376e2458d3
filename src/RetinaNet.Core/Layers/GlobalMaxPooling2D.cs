using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>Maximum over height and width (Keras <c>GlobalMaxPooling2D</c>).</summary>
public class GlobalMaxPooling2D : GlobalPooling2D
{
    /// <summary>Creates the layer (Keras arguments and defaults).</summary>
    public GlobalMaxPooling2D(string? data_format = null, bool keepdims = false,
        string? name = null, bool trainable = true, string dtype = "float32")
        : base(data_format, keepdims, name, trainable, dtype) { }

    /// <inheritdoc/>
    protected override Tensor Reduce(Tensor nhwc, long[] axes, bool keepdim) => nhwc.amax(axes, keepdim);
}
