using RetinaNet.Core;
using static TorchSharp.torch;

namespace RetinaNet.Train.Utils;

/// <summary>
/// OpenCV's 8-bit BGR ⇄ HSV conversions (<c>COLOR_BGR2HSV</c> / <c>COLOR_HSV2BGR</c> on uint8 images), reproduced
/// bit for bit because keras-retinanet's hue and saturation effects round-trip through them: H in [0, 180),
/// S and V in [0, 255]. Images are (H, W, 3) tensors holding integer values 0..255.
/// </summary>
public static class ColorSpace
{
    // OpenCV computes S and H with 12-bit fixed-point reciprocal tables (hsv_shift = 12), rounded with cvRound.
    private const int HsvShift = 12;
    private static readonly long[] SaturationDivisors = Table(i => (255 << HsvShift) / (1.0 * i));
    private static readonly long[] HueDivisors = Table(i => (180 << HsvShift) / (6.0 * i));

    // For each hue sector, which of (v, v(1-s), v(1-sf), v(1-s(1-f))) gives B, G and R.
    private static readonly long[,] SectorChannels = { { 1, 3, 0 }, { 1, 0, 2 }, { 3, 0, 1 }, { 0, 2, 1 }, { 0, 1, 3 }, { 2, 1, 0 } };

    /// <summary>BGR → HSV with OpenCV's 8-bit arithmetic; returns a float32 (H, W, 3) tensor of integers.</summary>
    public static Tensor bgr_to_hsv(Tensor image)
    {
        using var scope = NewDisposeScope();
        var bgr = image.round().to_type(ScalarType.Int64);
        var (b, g, r) = (bgr[.., .., 0], bgr[.., .., 1], bgr[.., .., 2]);
        // Integer tensors: integer scalars and alpha (libtorch refuses a floating alpha for integral tensors).
        var one = HeldScalar.OfInteger(1);
        var half = HeldScalar.OfInteger(1 << (HsvShift - 1));
        var divisor = HeldScalar.OfInteger(1 << HsvShift);
        var v = maximum(maximum(b, g), r);
        var diff = v - minimum(minimum(b, g), r);
        var s = (diff * tensor(SaturationDivisors, device: image.device).index_select(0, v.flatten()).view_as(v)).add(half, one)
            .div(divisor, rounding_mode: RoundingMode.floor);
        var raw = where(v == r, g - b,
            where(v == g, (b - r).add(diff.mul(HeldScalar.OfInteger(2)), one), (r - g).add(diff.mul(HeldScalar.OfInteger(4)), one)));
        var h = (raw * tensor(HueDivisors, device: image.device).index_select(0, diff.flatten()).view_as(diff)).add(half, one)
            .div(divisor, rounding_mode: RoundingMode.floor);
        h = where(h.lt(HeldScalar.OfInteger(0)), h.add(HeldScalar.OfInteger(180), one), h);
        return stack(new[] { h, s, v }, -1).to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>HSV → BGR with OpenCV's 8-bit path (single-precision sector formula, rounded half to even).</summary>
    public static Tensor hsv_to_bgr(Tensor image)
    {
        using var scope = NewDisposeScope();
        var hsv = image.to_type(ScalarType.Float32);
        var one = HeldScalar.OfInteger(1);
        Tensor OneMinus(Tensor t) => t.neg().add(one, one);
        var h = hsv[.., .., 0].mul(HeldScalar.Of(6f / 180f));
        var s = hsv[.., .., 1].mul(HeldScalar.Of(1f / 255f));
        var v = hsv[.., .., 2].mul(HeldScalar.Of(1f / 255f));
        h = h.remainder(HeldScalar.OfInteger(6));
        var sector = h.floor();
        var f = h - sector;
        var candidates = stack(new[] { v, v * OneMinus(s), v * OneMinus(s * f), v * OneMinus(s * OneMinus(f)) }, -1);
        var index = tensor(SectorChannels, device: image.device)
            .index_select(0, sector.to_type(ScalarType.Int64).clamp(HeldScalar.OfInteger(0), HeldScalar.OfInteger(5)).flatten())
            .view(v.shape[0], v.shape[1], 3);
        var bgr = candidates.gather(-1, index);
        return bgr.mul(HeldScalar.Of(255f)).round().clamp(HeldScalar.OfInteger(0), HeldScalar.OfInteger(255)).MoveToOuterDisposeScope();
    }

    private static long[] Table(Func<int, double> entry)
    {
        var table = new long[256];
        for (int i = 1; i < table.Length; i++) table[i] = (long)Math.Round(entry(i), MidpointRounding.ToEven);
        return table;
    }
}
