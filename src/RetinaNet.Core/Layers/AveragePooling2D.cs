using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace RetinaNet.Core.Layers;

/// <summary>
/// Mean over windows of NHWC images (Keras <c>AveragePooling2D</c>). With TensorFlow "same" padding a window that
/// overlaps the border is averaged over its valid (non-padded) elements only.
/// </summary>
public class AveragePooling2D : Pooling2D
{
    /// <summary>Creates the layer (Keras arguments and defaults: 2×2 windows, strides = pool_size, "valid").</summary>
    public AveragePooling2D(IntPair? pool_size = null, IntPair? strides = null, string padding = "valid",
        string? data_format = null, string? name = null, bool trainable = true, string dtype = "float32")
        : base(pool_size, strides, padding, data_format, name, trainable, dtype) { }

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        Tensor x = inputs;
        var (rows, cols) = PaddingFor(x);
        using var nchw = x.permute(0, 3, 1, 2);
        var kernel = pool_size.ToLongs();
        var stride = strides.ToLongs();
        Tensor y;
        if (IsNativePadding(rows, cols))
        {
            y = F.avg_pool2d(nchw, kernel, stride, new long[] { rows.before, cols.before }, count_include_pad: false);
        }
        else
        {
            // Asymmetric padding: average over the zero-padded input, then rescale each window by the share of
            // its elements that are real, found by pooling a padded mask of ones (a single 1×1×H×W plane).
            using var scope = NewDisposeScope();
            var pad = new long[] { cols.before, cols.after, rows.before, rows.after };
            var sums = F.avg_pool2d(F.pad(nchw, pad), kernel, stride);
            var mask = ones(1, 1, x.shape[1], x.shape[2], dtype: x.dtype, device: x.device);
            var share = F.avg_pool2d(F.pad(mask, pad), kernel, stride);
            y = sums.div_(share).MoveToOuterDisposeScope();
        }
        using (y) return y.permute(0, 2, 3, 1);
    }
}
