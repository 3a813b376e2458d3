using TorchSharp;
using RetinaNet.Core;
using static TorchSharp.torch;

namespace RetinaNet.Train.Utils;

/// <summary>
/// A colour augmentation with fixed parameters (keras-retinanet's <c>VisualEffect</c>), applied to an (H, W, 3) BGR
/// image with values 0..255. Each step works on 8-bit values as keras-retinanet does: results are clipped to
/// 0..255 and truncated to integers, and hue/saturation round-trip through OpenCV's 8-bit HSV.
/// </summary>
public sealed class VisualEffect
{
    /// <param name="contrast_factor">Contrast factor (between 0 and 3); 0 leaves contrast alone.</param>
    /// <param name="brightness_delta">Brightness offset in [-1, 1], times 255, added to the pixels; 0 disables.</param>
    /// <param name="hue_delta">Hue offset in [-1, 1], times 180, added to the hue (wrapping at 180); 0 disables.</param>
    /// <param name="saturation_factor">Factor multiplying the saturation; 0 disables (as in keras-retinanet).</param>
    public VisualEffect(double contrast_factor, double brightness_delta, double hue_delta, double saturation_factor)
    {
        this.contrast_factor = contrast_factor;
        this.brightness_delta = brightness_delta;
        this.hue_delta = hue_delta;
        this.saturation_factor = saturation_factor;
    }

    /// <summary>Contrast factor.</summary>
    public double contrast_factor { get; }

    /// <summary>Brightness offset (fraction of 255).</summary>
    public double brightness_delta { get; }

    /// <summary>Hue offset (fraction of 180).</summary>
    public double hue_delta { get; }

    /// <summary>Saturation factor.</summary>
    public double saturation_factor { get; }

    /// <summary>Applies contrast, brightness, then hue and saturation; returns a new float32 tensor.</summary>
    public Tensor Apply(Tensor image)
    {
        using var scope = NewDisposeScope();
        var result = image.to_type(ScalarType.Float64);
        // keras-retinanet tests each parameter for truthiness, so a factor of exactly 0 means "off".
        if (contrast_factor != 0) result = adjust_contrast(result, contrast_factor);
        if (brightness_delta != 0) result = adjust_brightness(result, brightness_delta);
        if (hue_delta != 0 || saturation_factor != 0)
        {
            var hsv = ColorSpace.bgr_to_hsv(result).to_type(ScalarType.Float64);
            if (hue_delta != 0) hsv = adjust_hue(hsv, hue_delta);
            if (saturation_factor != 0) hsv = adjust_saturation(hsv, saturation_factor);
            result = ColorSpace.hsv_to_bgr(hsv);
        }
        return result.to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// keras-retinanet's <c>random_visual_effect_generator</c>: each call draws the four parameters uniformly from
    /// their ranges (in that order) with the given random source. The ranges are checked as keras-retinanet does.
    /// </summary>
    public static Func<Random, VisualEffect> random_visual_effect_generator(
        (double min, double max)? contrast_range = null,
        (double min, double max)? brightness_range = null,
        (double min, double max)? hue_range = null,
        (double min, double max)? saturation_range = null)
    {
        var contrast = contrast_range ?? (0.9, 1.1);
        var brightness = brightness_range ?? (-0.1, 0.1);
        var hue = hue_range ?? (-0.05, 0.05);
        var saturation = saturation_range ?? (0.95, 1.05);
        check_range(contrast, 0);
        check_range(brightness, -1, 1);
        check_range(hue, -1, 1);
        check_range(saturation, 0);
        return prng => new VisualEffect(
            contrast_factor: Transform.uniform(prng, contrast.min, contrast.max),
            brightness_delta: Transform.uniform(prng, brightness.min, brightness.max),
            hue_delta: Transform.uniform(prng, hue.min, hue.max),
            saturation_factor: Transform.uniform(prng, saturation.min, saturation.max));
    }

    /// <summary>(image - per-channel mean) · factor + mean, clipped and truncated to 8-bit values (same dtype as the input).</summary>
    public static Tensor adjust_contrast(Tensor image, double factor)
    {
        using var scope = NewDisposeScope();
        var wide = image.to_type(ScalarType.Float64);
        var mean = wide.mean(new long[] { 0, 1 });
        using var factorScalar = factor.ToScalar();
        return clip((wide - mean).mul(factorScalar).add(mean, HeldScalar.One)).to_type(image.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>image + delta · 255, clipped and truncated to 8-bit values.</summary>
    public static Tensor adjust_brightness(Tensor image, double delta)
    {
        using var shift = (delta * 255).ToScalar();
        using var shifted = image.add(shift, HeldScalar.One);
        return clip(shifted);
    }

    /// <summary>Adds delta · 180 to the hue of an HSV image, modulo 180, truncated to integers.</summary>
    public static Tensor adjust_hue(Tensor hsv, double delta)
    {
        using var scope = NewDisposeScope();
        using var shift = (delta * 180).ToScalar();
        var hue = hsv[.., .., 0].add(shift, HeldScalar.One).remainder(HeldScalar.OfInteger(180)).floor();
        return cat(new[] { hue.unsqueeze(-1), hsv[.., .., 1..] }, -1).MoveToOuterDisposeScope();
    }

    /// <summary>Multiplies the saturation of an HSV image by factor, clipped to 0..255 and truncated.</summary>
    public static Tensor adjust_saturation(Tensor hsv, double factor)
    {
        using var scope = NewDisposeScope();
        using var factorScalar = factor.ToScalar();
        var saturation = hsv[.., .., 1].mul(factorScalar).clamp(HeldScalar.OfInteger(0), HeldScalar.OfInteger(255)).floor();
        return stack(new[] { hsv[.., .., 0], saturation, hsv[.., .., 2] }, -1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Range validation of <c>random_visual_effect_generator</c>, with keras-retinanet's messages.
    /// </summary>
    internal static void check_range((double min, double max) range, double? min_value = null, double? max_value = null)
    {
        if (range.min > range.max) throw new ArgumentException("interval lower bound > upper bound");
        if (min_value is { } lower && range.min < lower) throw new ArgumentException("invalid interval lower bound");
        if (max_value is { } upper && range.max > upper) throw new ArgumentException("invalid interval upper bound");
    }

    // numpy's clip(0, 255).astype(uint8): clipping, then truncation.
    private static Tensor clip(Tensor image)
    {
        using var clipped = image.clamp(HeldScalar.OfInteger(0), HeldScalar.OfInteger(255));
        return clipped.floor();
    }
}
