using RetinaNet.Layers.Utils;
using static RetinaNet.Layers.Utils.AnchorMath;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers;

public class GenerateAnchorsTests
{
    static readonly double[] Ratios = { 0.5, 1, 2 };
    static readonly double[] Scales = { 1, Math.Pow(2, 1.0 / 3), Math.Pow(2, 2.0 / 3) };

    /// <summary>The anchor for (ratio, scale) from the formula: area = (size·scale)², w = sqrt(area/ratio), h = w·ratio.</summary>
    static double[] Expected(double size, double ratio, double scale)
    {
        double area = size * scale * (size * scale);
        double w = Math.Sqrt(area / ratio), h = w * ratio;
        return new[] { -w / 2, -h / 2, w / 2, h / 2 };
    }

    [Test]
    public void Size32_RatioMajorScaleMinor()
    {
        using var anchors = generate_anchors(32, Ratios, Scales);
        Assert.That(anchors.shape, Is.EqualTo(new long[] { 9, 4 }));
        Assert.That(anchors.dtype, Is.EqualTo(ScalarType.Float64));
        var values = anchors.data<double>().ToArray();
        for (int r = 0; r < 3; r++)
        for (int s = 0; s < 3; s++)
        {
            var expected = Expected(32, Ratios[r], Scales[s]);
            var row = values.Skip((r * 3 + s) * 4).Take(4).ToArray();
            Assert.That(row, Is.EqualTo(expected).Within(1e-9), $"ratio {Ratios[r]}, scale {Scales[s]}");
        }
        // A few rows written out: ratio 0.5 scale 1, ratio 1 scale 1, ratio 2 scale 2^(2/3).
        Assert.That(values.Take(4), Is.EqualTo(new[] { -22.6274, -11.3137, 22.6274, 11.3137 }).Within(1e-4));
        Assert.That(values.Skip(12).Take(4), Is.EqualTo(new[] { -16.0, -16, 16, 16 }).Within(1e-12));
        Assert.That(values.Skip(32).Take(4), Is.EqualTo(new[] { -17.9594, -35.9188, 17.9594, 35.9188 }).Within(1e-4));
    }

    [Test]
    public void NullRatiosAndScales_UseTheFloat32Defaults()
    {
        using var anchors = generate_anchors(512);
        var values = anchors.data<double>().ToArray();
        Assert.That(values.Skip(12).Take(4), Is.EqualTo(new[] { -256.0, -256, 256, 256 }));
        // Scale 2^(1/3) as float32 (1.2599211), as keras-retinanet's default arrays hold it.
        double scale = (float)Math.Pow(2, 1.0 / 3);
        Assert.That(values.Skip(16).Take(4), Is.EqualTo(Expected(512, 1, scale)).Within(1e-9));
    }

    [Test]
    public void Shift_OrdersRowsAsYThenXThenAnchor()
    {
        using var cell = tensor(new double[] { -1, -2, 1, 2, -3, -4, 3, 4 }, new long[] { 2, 4 });
        long height = 2, width = 3, a = 2;
        double stride = 8;
        using var shifted = shift(new[] { height, width }, stride, cell);
        Assert.That(shifted.shape, Is.EqualTo(new long[] { height * width * a, 4 }));
        var values = shifted.data<double>().ToArray();
        var baseValues = cell.data<double>().ToArray();
        for (long y = 0; y < height; y++)
        for (long x = 0; x < width; x++)
        for (long i = 0; i < a; i++)
        {
            long row = ((y * width) + x) * a + i;
            double cx = (x + 0.5) * stride, cy = (y + 0.5) * stride;
            var expected = new[] { baseValues[i * 4] + cx, baseValues[i * 4 + 1] + cy, baseValues[i * 4 + 2] + cx, baseValues[i * 4 + 3] + cy };
            Assert.That(values.Skip((int)row * 4).Take(4), Is.EqualTo(expected), $"y={y} x={x} a={i}");
        }
    }

    [Test]
    public void GuessShapes_IsCeilDivision()
    {
        var shapes = guess_shapes(new long[] { 800, 1333, 3 }, new[] { 3, 4, 5, 6, 7 });
        Assert.That(shapes, Is.EqualTo(new[]
        {
            new long[] { 100, 167 }, new long[] { 50, 84 }, new long[] { 25, 42 }, new long[] { 13, 21 }, new long[] { 7, 11 },
        }));
    }

    [TestCase(800, 1333, 200_700)]
    [TestCase(800, 1067, 160_956)]
    [TestCase(800, 800, 120_087)]
    [TestCase(500, 353, 34_407)]
    public void AnchorsForShape_Count(long height, long width, long expected)
    {
        long cells = 0;
        for (int level = 3; level <= 7; level++)
            cells += (long)Math.Ceiling(height / Math.Pow(2, level)) * (long)Math.Ceiling(width / Math.Pow(2, level));
        Assert.That(cells * 9, Is.EqualTo(expected));
        using var anchors = anchors_for_shape(new[] { height, width, 3 });
        Assert.That(anchors.shape, Is.EqualTo(new long[] { expected, 4 }));
    }

    [Test]
    public void AnchorsForShape_ConcatenatesLevelsInOrder()
    {
        using var anchors = anchors_for_shape(new long[] { 64, 96 }, AnchorConfig.Default with { pyramid_levels = new[] { 3, 4 } });
        // P3: 8×12 cells of size-32 anchors at stride 8, then P4: 4×6 cells of size-64 anchors at stride 16.
        Assert.That(anchors.shape[0], Is.EqualTo((8 * 12 + 4 * 6) * 9));
        var values = anchors.data<double>().ToArray();
        double scale = (float)Math.Pow(2, 1.0 / 3);
        var firstP3 = Expected(32, 0.5, 1).Select(v => v + 4).ToArray();
        Assert.That(values.Take(4), Is.EqualTo(firstP3).Within(1e-9));
        // Second cell of P4 (x = 1, y = 0), anchor ratio 1 / scale 2^(1/3): centre (24, 8).
        long row = 8 * 12 * 9 + 1 * 9 + 4;
        var expected = Expected(64, 1, scale);
        expected = new[] { expected[0] + 24, expected[1] + 8, expected[2] + 24, expected[3] + 8 };
        Assert.That(values.Skip((int)row * 4).Take(4), Is.EqualTo(expected).Within(1e-9));
    }

    [Test]
    public void AnchorsForShape_UsesCustomParametersAndShapesCallback()
    {
        var p = new AnchorConfig(new[] { 10 }, new[] { 4 }, new[] { 1f }, new[] { 1f, 2f }, pyramid_levels: new[] { 2 });
        using var anchors = anchors_for_shape(new long[] { 100, 100 }, p, (_, _) => new[] { new long[] { 1, 2 } });
        // Base anchors ±5 and ±10; cell (y=0, x=0) is centred on (2, 2), cell (y=0, x=1) on (6, 2).
        var expected = new double[] { -3, -3, 7, 7, -8, -8, 12, 12, 1, -3, 11, 7, -4, -8, 16, 12 };
        Assert.That(anchors.data<double>().ToArray(), Is.EqualTo(expected));
    }
}
