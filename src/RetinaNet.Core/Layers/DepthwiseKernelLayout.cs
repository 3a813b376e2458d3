using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>
/// DepthwiseConv2D kernels: Keras (kh, kw, in, depth_multiplier) ⇄ libtorch (in·multiplier, 1, kh, kw) for a
/// convolution with <c>groups = in</c>. Output channel <c>i·multiplier + m</c> is input channel <c>i</c> convolved
/// with Keras' <c>kernel[:, :, i, m]</c>, the order TensorFlow's depthwise_conv2d uses.
/// </summary>
/// <remarks>
/// With one input channel per group the NCHW and channels-last layouts hold the same bytes, so the layout is told
/// apart by strides alone. The native tensor gets the plain NCHW strides: libtorch 2.10 takes its channels-last
/// convolution path when either input or weight looks channels-last, and that path is wrong for depth_multiplier &gt; 1.
/// </remarks>
public sealed class DepthwiseKernelLayout : VariableLayout
{
    /// <summary>A layout for kernels with this many output channels per input channel.</summary>
    public DepthwiseKernelLayout(int depth_multiplier) => this.depth_multiplier = depth_multiplier;

    /// <summary>Output channels per input channel.</summary>
    public int depth_multiplier { get; }

    /// <inheritdoc/>
    public override Tensor FromKeras(Tensor keras)
    {
        var (kh, kw, channels) = (keras.shape[0], keras.shape[1], keras.shape[2] * keras.shape[3]);
        using var merged = keras.reshape(kh, kw, channels);
        using var outFirst = merged.permute(2, 0, 1).contiguous();
        return outFirst.unsqueeze(1);
    }

    /// <inheritdoc/>
    public override Tensor ToKeras(Tensor native)
    {
        var (channels, kh, kw) = (native.shape[0], native.shape[2], native.shape[3]);
        using var spatialFirst = native.squeeze(1).permute(1, 2, 0);
        return spatialFirst.reshape(kh, kw, channels / depth_multiplier, depth_multiplier);
    }
}
