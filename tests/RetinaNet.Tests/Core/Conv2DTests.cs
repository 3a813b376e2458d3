using RetinaNet.Core;
using RetinaNet.Core.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core;

public class Conv2DTests
{
    /// <summary>
    /// TensorFlow "same" with stride 2: on an even size the single padding row goes after (bottom/right),
    /// on an odd size it is split evenly. Checked with a kernel of ones, where each output is the sum of the
    /// input window, computed here by hand from the padding rule.
    /// </summary>
    [TestCase(4)]
    [TestCase(5)]
    [TestCase(6)]
    [TestCase(7)]
    public void SamePadding_Stride2_MatchesTensorFlowSplit(int size)
    {
        var conv = new Conv2D(1, 3, strides: 2, padding: "same", use_bias: false, kernel_initializer: "ones");
        using var x = arange(size * size, dtype: ScalarType.Float32).reshape(1, size, size, 1);
        using var y = conv.Apply(x);

        int outSize = (size + 1) / 2;
        int total = Math.Max(0, (outSize - 1) * 2 + 3 - size);
        int before = total / 2;
        Assert.That(y.shape, Is.EqualTo(new long[] { 1, outSize, outSize, 1 }));
        var input = x.data<float>().ToArray();
        for (int oy = 0; oy < outSize; oy++)
        for (int ox = 0; ox < outSize; ox++)
        {
            double expected = 0;
            for (int ky = 0; ky < 3; ky++)
            for (int kx = 0; kx < 3; kx++)
            {
                int iy = oy * 2 - before + ky, ix = ox * 2 - before + kx;
                if (iy >= 0 && iy < size && ix >= 0 && ix < size) expected += input[iy * size + ix];
            }
            Assert.That(y[0, oy, ox, 0].item<float>(), Is.EqualTo(expected).Within(1e-4), $"output ({oy},{ox})");
        }
    }

    [Test]
    public void ComputeOutputShape_KeepsUnknownDims()
    {
        var conv = new Conv2D(8, 3, strides: 2, padding: "same");
        var shape = conv.compute_output_shape(new Shape(null, null, 9, 3)).Single();
        Assert.That(shape, Is.EqualTo(new Shape(null, null, 5, 8)));
        var valid = new Conv2D(8, 3).compute_output_shape(new Shape(null, 9, null, 3)).Single();
        Assert.That(valid, Is.EqualTo(new Shape(null, 7, null, 8)));
    }

    [Test]
    public void Kernel_IsKerasLayout_AndMatchesConvolutionByHand()
    {
        // Kernel (kh, kw, in, out) = (1, 1, 2, 3): output channel o = sum_i x_i * k[0,0,i,o] + b_o.
        var conv = new Conv2D(3, 1);
        using var x = randn(2, 4, 5, 2);
        conv.Apply(x).Dispose();
        using var k = arange(6, dtype: ScalarType.Float32).reshape(1, 1, 2, 3);
        using var b = tensor(new float[] { 0.5f, -1f, 2f });
        conv.set_weights(new[] { k, b });
        Assert.That(conv.kernel.shape, Is.EqualTo(new Shape(1L, 1L, 2L, 3L)));
        using var y = conv.Apply(x);
        using var expected = x.matmul(k.reshape(2, 3)) + b;
        Assert.That(y.allclose(expected, atol: 1e-5), Is.True);
        Assert.That(conv.get_weights()[0].allclose(k), Is.True);
    }
}

public class PointwiseConv2DTests
{
    /// <summary>
    /// A strided 1×1 convolution picks every stride-th pixel and mixes channels; with 8 input channels this also
    /// guards against the libtorch 2.10 oneDNN bug that corrupted the heap on that shape (forward and backward).
    /// </summary>
    [Test]
    public void Strided1x1_MatchesSubsampledChannelMixing_ForwardAndBackward()
    {
        var conv = new Conv2D(4, 1, strides: 2, padding: "same");
        for (int repeat = 0; repeat < 20; repeat++)
        {
            using var scope = NewDisposeScope();
            var x = randn(2, 7, 6, 8, requires_grad: true);
            var y = conv.Apply(x);
            var k = conv.get_weights()[0].reshape(8, 4);
            var b = conv.get_weights()[1];
            Assert.That(y.shape, Is.EqualTo(new long[] { 2, 4, 3, 4 }));
            for (int i = 0; i < 4; i++)
            for (int j = 0; j < 3; j++)
            {
                var expected = x[0, 2 * i, 2 * j].detach().matmul(k) + b;
                Assert.That(y[0, i, j].detach().allclose(expected, atol: 1e-5), Is.True, $"pixel ({i},{j})");
            }
            y.sum().backward();
            // d(sum)/dx is the row sum of the kernel at sampled pixels and zero elsewhere.
            Assert.That(x.grad!.select(1, 1).abs().sum().item<float>(), Is.Zero);
            Assert.That(x.grad![0, 2, 4].allclose(k.sum(1), atol: 1e-5), Is.True);
            foreach (var w in conv.weights) w.value.grad = null;
        }
    }

    /// <summary>
    /// A grouped convolution is one convolution per group on that group's input channels, output channels in group
    /// order (Keras' kernel (kh, kw, in/groups, filters), TensorFlow's grouping). Checked against separate
    /// ungrouped layers with the kernel's column blocks, with several outputs per group (the case libtorch 2.10's
    /// channels-last CPU path gets wrong) and with one.
    /// </summary>
    [TestCase(2, 6, 1, "same")]
    [TestCase(2, 6, 2, "valid")]
    [TestCase(4, 4, 2, "same")]
    [TestCase(3, 12, 1, "valid")]
    [TestCase(12, 24, 1, "same")]
    [TestCase(12, 36, 2, "same")]
    public void Grouped_EqualsOneConvolutionPerGroup(int groups, int filters, int stride, string padding)
    {
        using var scope = NewDisposeScope();
        const int cin = 12;
        var grouped = new Conv2D(filters, 3, strides: stride, padding: padding, groups: groups);
        var x = randn(2, 7, 8, cin);
        grouped.Apply(x).Dispose();
        var kernel = randn(3, 3, cin / groups, filters);
        var bias = randn(filters);
        grouped.set_weights(new[] { kernel, bias });
        var y = grouped.Apply(x);
        int perGroup = filters / groups, inPerGroup = cin / groups;
        var parts = new List<Tensor>();
        for (int g = 0; g < groups; g++)
        {
            var single = new Conv2D(perGroup, 3, strides: stride, padding: padding);
            var slice = x.slice(3, g * inPerGroup, (g + 1) * inPerGroup, 1).contiguous();
            single.Apply(slice).Dispose();
            single.set_weights(new[] { kernel.slice(3, g * perGroup, (g + 1) * perGroup, 1).contiguous(), bias.slice(0, g * perGroup, (g + 1) * perGroup, 1).contiguous() });
            parts.Add(single.Apply(slice));
        }
        var expected = cat(parts, 3);
        Assert.That(y.shape, Is.EqualTo(expected.shape));
        Assert.That(y.allclose(expected, rtol: 1e-5, atol: 1e-5), Is.True, $"max difference {(y - expected).abs().max().item<float>()}");
    }
}
