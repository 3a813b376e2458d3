using RetinaNet.Train.Utils;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Train.Preprocessing;

public class VisualEffectTests
{
    private static Tensor Pixels(params (int b, int g, int r)[] colors) =>
        tensor(colors.SelectMany(c => new float[] { c.b, c.g, c.r }).ToArray()).reshape(1, colors.Length, 3);

    [Test]
    public void AdjustBrightness_AddsDeltaTimes255_ClipsAndTruncates()
    {
        using var image = Pixels((100, 250, 0));
        using var brighter = VisualEffect.adjust_brightness(image, 0.1);
        // 100 + 25.5 = 125.5 -> 125 (uint8 truncation), 250 + 25.5 -> 255, 0 + 25.5 -> 25.
        Assert.That(brighter.flatten().data<float>().ToArray(), Is.EqualTo(new float[] { 125, 255, 25 }));
    }

    [Test]
    public void AdjustContrast_ScalesAroundChannelMean()
    {
        var pixels = new[] { (0, 10, 20), (100, 30, 21) };
        using var image = Pixels(pixels);
        using var result = VisualEffect.adjust_contrast(image, 1.5);

        // (v - channel mean) * 1.5 + mean, clipped to 0..255 and truncated like numpy's astype(uint8).
        double[] means = { (0 + 100) / 2.0, (10 + 30) / 2.0, (20 + 21) / 2.0 };
        var expected = pixels.SelectMany(p => new[] { p.Item1, p.Item2, p.Item3 }.Select((v, c) =>
            (float)Math.Floor(Math.Clamp((v - means[c]) * 1.5 + means[c], 0, 255))));
        Assert.That(result.flatten().data<float>().ToArray(), Is.EqualTo(expected.ToArray()));
        Assert.That(result[0, 0, 0].item<float>(), Is.EqualTo(0), "(0 - 50) * 1.5 + 50 = -25 clips to 0");
    }

    [Test]
    public void BgrToHsv_MatchesOpenCvEightBitFormula()
    {
        var colors = new[] { (0, 0, 255), (0, 255, 0), (255, 0, 0), (128, 128, 128), (50, 100, 200), (200, 30, 90) };
        using var image = Pixels(colors);
        using var hsv = ColorSpace.bgr_to_hsv(image);

        for (int i = 0; i < colors.Length; i++)
        {
            var (b, g, r) = colors[i];
            int v = Math.Max(b, Math.Max(g, r)), diff = v - Math.Min(b, Math.Min(g, r));
            double s = v == 0 ? 0 : Math.Round(255.0 * diff / v);
            double h = diff == 0 ? 0 : v == r ? 30.0 * (g - b) / diff : v == g ? 60 + 30.0 * (b - r) / diff : 120 + 30.0 * (r - g) / diff;
            h = Math.Round(h);
            if (h < 0) h += 180;
            Assert.That(hsv[0, i].data<float>().ToArray(), Is.EqualTo(new[] { h, s, v }), $"HSV of BGR {colors[i]}");
        }
    }

    [Test]
    public void HsvToBgr_MatchesStandardFormula_AndInvertsExactColours()
    {
        var hsvValues = new[] { (0, 255, 255), (60, 255, 255), (120, 255, 255), (0, 0, 128), (10, 191, 200), (131, 217, 200) };
        using var hsv = tensor(hsvValues.SelectMany(c => new float[] { c.Item1, c.Item2, c.Item3 }).ToArray()).reshape(1, hsvValues.Length, 3);
        using var bgr = ColorSpace.hsv_to_bgr(hsv);

        for (int i = 0; i < hsvValues.Length; i++)
        {
            var (h, s, v) = (hsvValues[i].Item1 * 2.0, hsvValues[i].Item2 / 255.0, hsvValues[i].Item3 / 255.0);
            // channel(n) = v - v s max(0, min(k, 4 - k, 1)), k = (n + H / 60) mod 6, with n = 1, 3, 5 for B, G, R.
            double Channel(int n)
            {
                double k = (n + h / 60) % 6;
                return Math.Round(255 * (v - v * s * Math.Max(0, Math.Min(Math.Min(k, 4 - k), 1))));
            }
            Assert.That(bgr[0, i].data<float>().ToArray(), Is.EqualTo(new[] { Channel(1), Channel(3), Channel(5) }).Within(1e-6), $"BGR of HSV {hsvValues[i]}");
        }
        // Pure colours and greys survive the round trip exactly.
        using var exact = Pixels((0, 0, 255), (0, 255, 0), (255, 0, 0), (128, 128, 128));
        using var back = ColorSpace.hsv_to_bgr(ColorSpace.bgr_to_hsv(exact));
        Assert.That(back.flatten().data<float>().ToArray(), Is.EqualTo(exact.flatten().data<float>().ToArray()));
    }

    [Test]
    public void HueDelta_OneHalf_TurnsRedIntoCyan()
    {
        using var red = Pixels((0, 0, 255));
        using var shifted = new VisualEffect(0, 0, 0.5, 0).Apply(red);
        // Hue 0 + 0.5 * 180 = 90 (cyan in OpenCV's 0..180 scale): B = G = 255, R = 0.
        Assert.That(shifted.flatten().data<float>().ToArray(), Is.EqualTo(new float[] { 255, 255, 0 }));
    }

    [Test]
    public void Saturation_Halved_MatchesSectorFormula()
    {
        using var image = Pixels((50, 100, 200));
        using var result = new VisualEffect(0, 0, 0, 0.5).Apply(image);
        // HSV (10, 191, 200) -> S = floor(95.5) = 95; back: sector 0, f = 10 * 6 / 180.
        double s = 95 / 255.0, v = 200 / 255.0, f = 10 * 6 / 180.0;
        double[] expected = { Math.Round(255 * v * (1 - s)), Math.Round(255 * v * (1 - s * (1 - f))), 200 };
        Assert.That(result.flatten().data<float>().ToArray(), Is.EqualTo(expected).Within(1e-6));
    }

    [Test]
    public void RandomVisualEffectGenerator_ChecksRanges_WithKerasMessages()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => VisualEffect.random_visual_effect_generator(contrast_range: (1.1, 0.9)))!.Message,
            Is.EqualTo("interval lower bound > upper bound"));
        Assert.That(Assert.Throws<ArgumentException>(() => VisualEffect.random_visual_effect_generator(contrast_range: (-0.1, 1)))!.Message,
            Is.EqualTo("invalid interval lower bound"));
        Assert.That(Assert.Throws<ArgumentException>(() => VisualEffect.random_visual_effect_generator(brightness_range: (0, 1.5)))!.Message,
            Is.EqualTo("invalid interval upper bound"));

        var effect = VisualEffect.random_visual_effect_generator()(new Random(3));
        Assert.That(effect.contrast_factor, Is.InRange(0.9, 1.1));
        Assert.That(effect.brightness_delta, Is.InRange(-0.1, 0.1));
        Assert.That(effect.hue_delta, Is.InRange(-0.05, 0.05));
        Assert.That(effect.saturation_factor, Is.InRange(0.95, 1.05));
    }
}
