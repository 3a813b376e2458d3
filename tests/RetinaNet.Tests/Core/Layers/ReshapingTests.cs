using RetinaNet.Core;
using RetinaNet.Core.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Layers;

/// <summary>Flatten, Reshape and Permute: element order as Keras sees an NHWC tensor.</summary>
public class ReshapingTests
{
    /// <summary>
    /// The input is an NHWC view of NCHW-contiguous memory (what a layer computing in NCHW hands back); Flatten must
    /// still produce index (h·W + w)·C + c, Keras' order, not the memory order.
    /// </summary>
    [Test]
    public void Flatten_UsesNhwcOrder_WhateverTheMemoryLayout()
    {
        const int N = 2, C = 3, H = 2, W = 4;
        using var nchw = TensorValues.Ramp(new long[] { N, C, H, W });
        using var nhwc = nchw.permute(0, 2, 3, 1);
        using var y = new Flatten().Apply(nhwc);
        Assert.That(y.shape, Is.EqualTo(new long[] { N, H * W * C }));
        var source = TensorValues.Of(nchw);
        var flat = TensorValues.Of(y);
        for (int n = 0; n < N; n++)
        for (int h = 0; h < H; h++)
        for (int w = 0; w < W; w++)
        for (int c = 0; c < C; c++)
            Assert.That(flat[n * H * W * C + (h * W + w) * C + c], Is.EqualTo(source[((n * C + c) * H + h) * W + w]));
    }

    [Test]
    public void Flatten_OutputShape()
    {
        Assert.That(new Flatten().compute_output_shape(new Shape(null, 3, 4, 5)).Single(), Is.EqualTo(new Shape(null, 60)));
        Assert.That(new Flatten().compute_output_shape(new Shape(null, null, 4, 5)).Single(), Is.EqualTo(new Shape(null, null)));
    }

    /// <summary>keras-retinanet's Reshape((-1, 4)) on a regression map: row k holds channels 4k%C.. of pixel k·4/C.</summary>
    [Test]
    public void Reshape_GroupsLastAxisPerPixel()
    {
        const int H = 2, W = 3, C = 8;
        using var x = TensorValues.Ramp(new long[] { 1, H, W, C }).permute(0, 3, 1, 2).contiguous().permute(0, 2, 3, 1);
        using var y = new Reshape(new long[] { -1, 4 }).Apply(x);
        Assert.That(y.shape, Is.EqualTo(new long[] { 1, H * W * C / 4, 4 }));
        var xs = TensorValues.Of(x);
        var ys = TensorValues.Of(y);
        for (int row = 0; row < H * W * C / 4; row++)
        for (int j = 0; j < 4; j++)
        {
            int pixel = row * 4 / C, channel = row * 4 % C + j;
            Assert.That(ys[row * 4 + j], Is.EqualTo(xs[pixel * C + channel]));
        }
    }

    [Test]
    public void Reshape_OutputShape_InfersMinusOneWhenKnown()
    {
        var layer = new Reshape(new long[] { -1, 3 });
        Assert.That(layer.compute_output_shape(new Shape(null, 4, 6)).Single(), Is.EqualTo(new Shape(null, 8, 3)));
        Assert.That(layer.compute_output_shape(new Shape(null, null, 6)).Single(), Is.EqualTo(new Shape(null, null, 3)));
        Assert.That(new Reshape(new long[] { 2, 12 }).compute_output_shape(new Shape(5, null, 6)).Single(), Is.EqualTo(new Shape(5, 2, 12)));
        Assert.Throws<ArgumentException>(() => layer.compute_output_shape(new Shape(null, 5, 1)));
        Assert.Throws<ArgumentException>(() => new Reshape(new long[] { -1, -1 }));
        var error = Assert.Throws<LayerInputException>(() => new Reshape(new long[] { 7 }).Apply(keras.Input(new Shape(2, 3))));
        Assert.That(error!.Message, Does.Contain("total size of new array must be unchanged"));
    }

    /// <summary>Permute((3, 1, 2)) moves sample axis 3 first: out[n, c, h, w] = in[n, h, w, c].</summary>
    [Test]
    public void Permute_IsOneBasedAfterBatch()
    {
        const int H = 2, W = 3, C = 4;
        using var x = TensorValues.Ramp(new long[] { 1, H, W, C });
        var layer = new Permute(new[] { 3, 1, 2 });
        using var y = layer.Apply(x);
        Assert.That(y.shape, Is.EqualTo(new long[] { 1, C, H, W }));
        var xs = TensorValues.Of(x);
        var ys = TensorValues.Of(y);
        for (int c = 0; c < C; c++)
        for (int h = 0; h < H; h++)
        for (int w = 0; w < W; w++)
            Assert.That(ys[(c * H + h) * W + w], Is.EqualTo(xs[(h * W + w) * C + c]));
        Assert.That(layer.compute_output_shape(new Shape(null, null, 5, 6)).Single(), Is.EqualTo(new Shape(null, 6, null, 5)));
        Assert.Throws<ArgumentException>(() => new Permute(new[] { 0, 1 }));
    }
}
