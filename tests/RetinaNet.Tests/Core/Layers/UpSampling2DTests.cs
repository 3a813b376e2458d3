using RetinaNet.Core;
using RetinaNet.Core.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Layers;

public class UpSampling2DTests
{
    [Test]
    public void Nearest_RepeatsEachPixel()
    {
        using var x = TensorValues.Ramp(new long[] { 1, 2, 3, 2 });
        using var y = new UpSampling2D((2, 3)).Apply(x);
        Assert.That(y.shape, Is.EqualTo(new long[] { 1, 4, 9, 2 }));
        var xs = TensorValues.Of(x);
        var ys = TensorValues.Of(y);
        for (int oy = 0; oy < 4; oy++)
        for (int ox = 0; ox < 9; ox++)
        for (int c = 0; c < 2; c++)
            Assert.That(ys[(oy * 9 + ox) * 2 + c], Is.EqualTo(xs[(oy / 2 * 3 + ox / 3) * 2 + c]));
    }

    /// <summary>Two pixels a, b doubled with half-pixel centres give a, ¾a + ¼b, ¼a + ¾b, b.</summary>
    [Test]
    public void Bilinear_1D_HandValues()
    {
        using var x = tensor(new float[] { 1, 5 }).reshape(1, 1, 2, 1);
        using var y = new UpSampling2D((1, 2), interpolation: "bilinear").Apply(x);
        Assert.That(TensorValues.Of(y), Is.EqualTo(new[] { 1f, 2f, 4f, 5f }).Within(1e-6));
    }

    /// <summary>
    /// TensorFlow's half-pixel bilinear resize from its formula: source coordinate (d + 0.5)/s − 0.5, neighbours
    /// clamped to the image, weights from the fractional part; separable over rows and columns.
    /// </summary>
    [Test]
    public void Bilinear_MatchesHalfPixelFormula()
    {
        const int H = 3, W = 4, C = 2, S = 2;
        using var x = randn(1, H, W, C);
        using var y = new UpSampling2D(S, interpolation: "bilinear").Apply(x);
        var xs = TensorValues.Of(x);
        var ys = TensorValues.Of(y);
        static (int lo, int hi, double t) Source(int d, int n)
        {
            var s = (d + 0.5) / S - 0.5;
            var floor = Math.Floor(s);
            return ((int)Math.Clamp(floor, 0, n - 1), (int)Math.Clamp(floor + 1, 0, n - 1), s - floor);
        }
        for (int oy = 0; oy < H * S; oy++)
        for (int ox = 0; ox < W * S; ox++)
        for (int c = 0; c < C; c++)
        {
            var (y0, y1, ty) = Source(oy, H);
            var (x0, x1, tx) = Source(ox, W);
            double At(int iy, int ix) => xs[(iy * W + ix) * C + c];
            var top = At(y0, x0) * (1 - tx) + At(y0, x1) * tx;
            var bottom = At(y1, x0) * (1 - tx) + At(y1, x1) * tx;
            Assert.That(ys[(oy * W * S + ox) * C + c], Is.EqualTo(top * (1 - ty) + bottom * ty).Within(1e-5));
        }
    }

    /// <summary>A permuted (non-contiguous) input, such as a Permute layer returns, upsamples the same.</summary>
    [Test]
    public void Nearest_AcceptsNonContiguousInput()
    {
        using var x = randn(1, 3, 2, 4);
        using var permuted = x.permute(0, 2, 1, 3);
        using var y = new UpSampling2D().Apply(permuted);
        using var expected = new UpSampling2D().Apply(permuted.contiguous());
        Assert.That(TensorValues.Of(y), Is.EqualTo(TensorValues.Of(expected)));
    }

    [Test]
    public void OutputShape_KeepsUnknownDims()
    {
        var shape = new UpSampling2D((2, 3)).compute_output_shape(new Shape(null, null, 5, 7)).Single();
        Assert.That(shape, Is.EqualTo(new Shape(null, null, 15, 7)));
        Assert.Throws<ArgumentException>(() => new UpSampling2D(interpolation: "bicubic"));
    }
}
