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
