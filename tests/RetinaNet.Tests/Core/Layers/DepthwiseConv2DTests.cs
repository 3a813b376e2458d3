using RetinaNet.Core;
using RetinaNet.Core.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Layers;

public class DepthwiseConv2DTests
{
    /// <summary>
    /// Output channel i·M + m is input channel i convolved with kernel[:, :, i, m] plus bias, checked by loops with
    /// TensorFlow's "same" split (extra padding after) on an even size with stride 2, and with "valid". Multiplier 1
    /// runs on the channels-last view; larger ones on the NCHW copy that avoids libtorch's channels-last bug.
    /// </summary>
    [TestCase("same", 2, 3)]
    [TestCase("valid", 1, 2)]
    [TestCase("same", 1, 1)]
    [TestCase("valid", 2, 1)]
    public void MatchesPerChannelLoop(string padding, int stride, int M)
    {
        const int H = 6, W = 5, Cin = 2, K = 3;
        var layer = new DepthwiseConv2D(K, strides: stride, padding: padding, depth_multiplier: M);
        using var x = randn(1, H, W, Cin);
        layer.Apply(x).Dispose();
        using var kernel = randn(K, K, Cin, M);
        using var bias = randn(Cin * M);
        layer.set_weights(new[] { kernel, bias });
        using var y = layer.Apply(x);

        int outH, outW, beforeH = 0, beforeW = 0;
        if (padding == "same")
        {
            outH = (H + stride - 1) / stride;
            outW = (W + stride - 1) / stride;
            beforeH = Math.Max(0, (outH - 1) * stride + K - H) / 2;
            beforeW = Math.Max(0, (outW - 1) * stride + K - W) / 2;
        }
        else
        {
            outH = (H - K) / stride + 1;
            outW = (W - K) / stride + 1;
        }
        Assert.That(y.shape, Is.EqualTo(new long[] { 1, outH, outW, Cin * M }));
        var xs = TensorValues.Of(x);
        var ks = TensorValues.Of(kernel);
        var bs = TensorValues.Of(bias);
        var ys = TensorValues.Of(y);
        for (int oy = 0; oy < outH; oy++)
        for (int ox = 0; ox < outW; ox++)
        for (int i = 0; i < Cin; i++)
        for (int m = 0; m < M; m++)
        {
            double sum = bs[i * M + m];
            for (int ky = 0; ky < K; ky++)
            for (int kx = 0; kx < K; kx++)
            {
                int iy = oy * stride - beforeH + ky, ix = ox * stride - beforeW + kx;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                sum += xs[(iy * W + ix) * Cin + i] * ks[((ky * K + kx) * Cin + i) * M + m];
            }
            Assert.That(ys[(oy * outW + ox) * Cin * M + i * M + m], Is.EqualTo(sum).Within(1e-4), $"({oy},{ox}) channel {i}, multiplier {m}");
        }
    }

    [Test]
    public void Kernel_RoundTripsInKerasLayout()
    {
        var layer = new DepthwiseConv2D((3, 1), depth_multiplier: 2, use_bias: false, name: "dw");
        layer.Apply(keras.Input(new Shape(null, null, 4)));
        Assert.That(layer.weights.Select(w => w.name), Is.EqualTo(new[] { "dw/depthwise_kernel:0" }));
        Assert.That(layer.depthwise_kernel.shape, Is.EqualTo(new Shape(3L, 1L, 4L, 2L)));
        Assert.That(layer.depthwise_kernel.value.shape, Is.EqualTo(new long[] { 8, 1, 3, 1 }));
        using var k = randn(3, 1, 4, 2);
        layer.set_weights(new[] { k });
        Assert.That(TensorValues.Of(layer.get_weights()[0]), Is.EqualTo(TensorValues.Of(k)));
        Assert.That(layer.output_shape.Single(), Is.EqualTo(new Shape(null, null, null, 8)));
    }
}
