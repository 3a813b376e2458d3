using RetinaNet.Core;
using RetinaNet.Core.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Layers;

public class PoolingTests
{
    /// <summary>TensorFlow "same" for one axis, from its definition: out = ceil(n/s), extra padding after.</summary>
    static (int outSize, int before) Same(int n, int k, int s)
    {
        int output = (n + s - 1) / s;
        int total = Math.Max(0, (output - 1) * s + k - n);
        return (output, total / 2);
    }

    /// <summary>Max or mean of the in-image elements of every window, by loops; padded positions are skipped.</summary>
    static float[] PoolByHand(float[] x, int h, int w, int c, int k, int s, string padding, bool max,
        out int outH, out int outW)
    {
        int beforeH = 0, beforeW = 0;
        if (padding == "same") { (outH, beforeH) = Same(h, k, s); (outW, beforeW) = Same(w, k, s); }
        else { outH = (h - k) / s + 1; outW = (w - k) / s + 1; }
        var y = new float[outH * outW * c];
        for (int oy = 0; oy < outH; oy++)
        for (int ox = 0; ox < outW; ox++)
        for (int ch = 0; ch < c; ch++)
        {
            double acc = max ? double.NegativeInfinity : 0;
            int count = 0;
            for (int ky = 0; ky < k; ky++)
            for (int kx = 0; kx < k; kx++)
            {
                int iy = oy * s - beforeH + ky, ix = ox * s - beforeW + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                var v = x[(iy * w + ix) * c + ch];
                acc = max ? Math.Max(acc, v) : acc + v;
                count++;
            }
            y[(oy * outW + ox) * c + ch] = (float)(max ? acc : acc / count);
        }
        return y;
    }

    /// <summary>
    /// Stride 2 "same" pooling on odd and even sizes, with 2×2 and 3×3 windows: covers symmetric padding, padding
    /// only after (TensorFlow's odd split) and none. Inputs are all negative so a zero pad would win a max.
    /// </summary>
    [Test]
    public void SamePadding_Stride2_MatchesTensorFlow(
        [Values(4, 5, 6, 7)] int size, [Values(2, 3)] int pool, [Values(true, false)] bool max)
    {
        Layer layer = max
            ? new MaxPooling2D(pool, 2, padding: "same")
            : new AveragePooling2D(pool, 2, padding: "same");
        using var x = TensorValues.Ramp(new long[] { 1, size, size + 1, 2 }, scale: -0.5f, offset: -1);
        using var y = layer.Apply(x);
        var expected = PoolByHand(TensorValues.Of(x), size, size + 1, 2, pool, 2, "same", max, out var outH, out var outW);
        Assert.That(y.shape, Is.EqualTo(new long[] { 1, outH, outW, 2 }));
        Assert.That(TensorValues.Of(y), Is.EqualTo(expected).Within(1e-5));
    }

    [Test]
    public void ValidPadding_FloorsTheOutputSize([Values(true, false)] bool max)
    {
        Layer layer = max ? new MaxPooling2D(3, 2) : new AveragePooling2D(3, 2);
        using var x = randn(2, 7, 6, 3);
        using var y = layer.Apply(x);
        for (int n = 0; n < 2; n++)
        {
            var expected = PoolByHand(TensorValues.Of(x[n]), 7, 6, 3, 3, 2, "valid", max, out var outH, out var outW);
            Assert.That(y.shape, Is.EqualTo(new long[] { 2, outH, outW, 3 }));
            Assert.That(TensorValues.Of(y[n]), Is.EqualTo(expected).Within(1e-5));
        }
    }

    [Test]
    public void Strides_DefaultToPoolSize()
    {
        var pool = new MaxPooling2D(3);
        Assert.That(pool.strides, Is.EqualTo(new IntPair(3, 3)));
        Assert.That(new AveragePooling2D().pool_size, Is.EqualTo(new IntPair(2, 2)));
        Assert.That(pool.compute_output_shape(new Shape(null, 9, null, 4)).Single(), Is.EqualTo(new Shape(null, 3, null, 4)));
        var same = new MaxPooling2D(3, 2, "same");
        Assert.That(same.compute_output_shape(new Shape(null, 7, null, 4)).Single(), Is.EqualTo(new Shape(null, 4, null, 4)));
    }

    [Test]
    public void GlobalPooling_ReducesHeightAndWidth([Values(true, false)] bool keepdims)
    {
        using var x = randn(2, 3, 4, 5);
        using var mean = new GlobalAveragePooling2D(keepdims: keepdims).Apply(x);
        using var max = new GlobalMaxPooling2D(keepdims: keepdims).Apply(x);
        var expectedShape = keepdims ? new long[] { 2, 1, 1, 5 } : new long[] { 2, 5 };
        Assert.That(mean.shape, Is.EqualTo(expectedShape));
        Assert.That(max.shape, Is.EqualTo(expectedShape));
        var values = TensorValues.Of(x);
        var meanValues = TensorValues.Of(mean);
        var maxValues = TensorValues.Of(max);
        for (int n = 0; n < 2; n++)
        for (int c = 0; c < 5; c++)
        {
            var window = Enumerable.Range(0, 12).Select(p => values[(n * 12 + p) * 5 + c]).ToArray();
            Assert.That(meanValues[n * 5 + c], Is.EqualTo(window.Average()).Within(1e-5));
            Assert.That(maxValues[n * 5 + c], Is.EqualTo(window.Max()));
        }
        var symbolic = new GlobalMaxPooling2D(keepdims: keepdims).compute_output_shape(new Shape(null, null, null, 7)).Single();
        Assert.That(symbolic, Is.EqualTo(keepdims ? new Shape(null, 1, 1, 7) : new Shape(null, 7)));
    }
}
