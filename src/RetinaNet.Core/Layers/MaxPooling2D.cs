using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace RetinaNet.Core.Layers;

/// <summary>
/// Maximum over windows of NHWC images (Keras <c>MaxPooling2D</c>). TensorFlow "same" padding never wins the
/// maximum (it acts as -inf), and puts the odd extra row/column after, so asymmetric cases pad with -inf explicitly.
/// </summary>
public class MaxPooling2D : Pooling2D
{
    /// <summary>Creates the layer (Keras arguments and defaults: 2×2 windows, strides = pool_size, "valid").</summary>
    public MaxPooling2D(IntPair? pool_size = null, IntPair? strides = null, string padding = "valid",
        string? data_format = null, string? name = null, bool trainable = true, string dtype = "float32")
        : base(pool_size, strides, padding, data_format, name, trainable, dtype) { }

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        Tensor x = inputs;
        var (rows, cols) = PaddingFor(x);
        using var nchw = x.permute(0, 3, 1, 2);
        Tensor y;
        if (IsNativePadding(rows, cols))
        {
            // libtorch's implicit padding is -inf for max pooling.
            y = F.max_pool2d(nchw, pool_size.ToLongs(), strides.ToLongs(), new long[] { rows.before, cols.before });
        }
        else
        {
            using var padded = F.pad(nchw, new long[] { cols.before, cols.after, rows.before, rows.after },
                value: double.NegativeInfinity);
            y = F.max_pool2d(padded, pool_size.ToLongs(), strides.ToLongs());
        }
        using (y) return y.permute(0, 2, 3, 1);
    }
}
