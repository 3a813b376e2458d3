using TorchSharp;
using RetinaNet.Core;
using static TorchSharp.torch;

namespace RetinaNet.Train.Utils;

/// <summary>
/// Applying a <see cref="Transform"/> matrix to an (H, W, C) image tensor, as keras-retinanet does with
/// <c>cv2.warpAffine</c> (<c>utils/image.py</c>).
/// </summary>
public static class ImageTransform
{
    /// <summary>
    /// Adapts a transform drawn for an abstract image to <paramref name="image"/> (H, W, C): a relative translation is
    /// multiplied by (width, height), then the origin is moved to the image centre (0.5·width, 0.5·height).
    /// </summary>
    public static double[,] adjust_transform_for_image(double[,] transform, Tensor image, bool relative_translation)
    {
        double height = image.shape[0], width = image.shape[1];
        var result = (double[,])transform.Clone();
        if (relative_translation)
        {
            result[0, 2] *= width;
            result[1, 2] *= height;
        }
        return Transform.change_transform_origin(result, (0.5 * width, 0.5 * height));
    }

    /// <summary>
    /// <paramref name="transform"/> followed by OpenCV's resize by <paramref name="scale"/> as one map: the resized
    /// pixel d samples the warped image at <c>(d + 0.5) / scale - 0.5</c>, so a warped point x lands on
    /// <c>scale · x + 0.5 · scale - 0.5</c>. Warping with it straight to the resized size samples the source once,
    /// with coordinate grids of the output's size rather than the source's.
    /// </summary>
    public static double[,] compose_with_resize(double[,] transform, double scale)
    {
        double shift = 0.5 * scale - 0.5;
        var result = new double[3, 3];
        for (int col = 0; col < 3; col++)
        {
            result[0, col] = scale * transform[0, col];
            result[1, col] = scale * transform[1, col];
            result[2, col] = transform[2, col];
        }
        result[0, 2] += shift * transform[2, 2];
        result[1, 2] += shift * transform[2, 2];
        return result;
    }

    /// <summary>
    /// Warps an (H, W, C) image so that the point (x, y) of the source lands on <c>matrix · (x, y, 1)</c>; the output
    /// has the source's size. Each output pixel (x, y) (integer pixel coordinates, no half-pixel offset, as
    /// <c>warpAffine</c>) samples the source at the inverse-mapped position. 'linear' quantises that position to
    /// 1/32 pixel like OpenCV's interpolation tables; 'nearest' rounds it. Out-of-image samples follow
    /// <see cref="TransformParameters.fill_mode"/>. Returns a float32 tensor (no rounding to 8 bits).
    /// </summary>
    /// <param name="matrix">The forward map, source pixel → output pixel.</param>
    /// <param name="image">The (H, W, C) source.</param>
    /// <param name="parameters">Interpolation and border rule.</param>
    /// <param name="output_size">(height, width) of the output; the source's size when null (<c>warpAffine</c>).</param>
    public static Tensor apply_transform(double[,] matrix, Tensor image, TransformParameters? parameters = null, (int height, int width)? output_size = null)
    {
        parameters ??= new TransformParameters();
        if (image.dim() != 3) throw new ArgumentException($"apply_transform expects an (H, W, C) image, got {image.dim()} dimensions.");
        int height = (int)image.shape[0], width = (int)image.shape[1], channels = (int)image.shape[2];
        var (outHeight, outWidth) = output_size ?? (height, width);
        var (a, b, c, d, e, f) = (matrix[0, 0], matrix[0, 1], matrix[1, 0], matrix[1, 1], matrix[0, 2], matrix[1, 2]);
        double det = a * d - b * c;
        if (det == 0) throw new ArgumentException("apply_transform: the transform is not invertible.");
        // Inverse affine map: destination pixel -> source position.
        double i00 = d / det, i01 = -b / det, i10 = -c / det, i11 = a / det;
        double t0 = -(i00 * e + i01 * f), t1 = -(i10 * e + i11 * f);

        using var scope = NewDisposeScope();
        // An 8-bit image is sampled as it is (4 neighbours per output pixel, converted after the gather), so a large
        // photo is never held as float32 at its own size.
        var source = (image.dtype == ScalarType.Byte ? image : image.to_type(ScalarType.Float32)).reshape(height * width, channels);
        var (zero, one, half) = (HeldScalar.OfInteger(0), HeldScalar.OfInteger(1), HeldScalar.Of(0.5));
        using var widthScalar = outWidth.ToScalar();
        using var heightScalar = outHeight.ToScalar();
        using Scalar s00 = i00.ToScalar(), s01 = i01.ToScalar(), s10 = i10.ToScalar(), s11 = i11.ToScalar();
        using Scalar st0 = t0.ToScalar(), st1 = t1.ToScalar();
        var xs = arange(zero, widthScalar, one, dtype: ScalarType.Float64, device: image.device).view(1, -1);
        var ys = arange(zero, heightScalar, one, dtype: ScalarType.Float64, device: image.device).view(-1, 1);
        var sx = xs.mul(s00).add(ys.mul(s01), one).add(st0, one);
        var sy = xs.mul(s10).add(ys.mul(s11), one).add(st1, one);

        Tensor result;
        if (parameters.interpolation == "nearest")
        {
            result = Sample(source, sx.add(half, one).floor().to_type(ScalarType.Int64), sy.add(half, one).floor().to_type(ScalarType.Int64), height, width, parameters);
        }
        else
        {
            // Positions on OpenCV's 1/32-pixel grid (INTER_BITS = 5).
            var grid = HeldScalar.OfInteger(32);
            var qx = sx.mul(grid).add(half, one).floor().div(grid);
            var qy = sy.mul(grid).add(half, one).floor().div(grid);
            var x0 = qx.floor();
            var y0 = qy.floor();
            var wx = (qx - x0).to_type(ScalarType.Float32).unsqueeze(-1);
            var wy = (qy - y0).to_type(ScalarType.Float32).unsqueeze(-1);
            var ix = x0.to_type(ScalarType.Int64);
            var iy = y0.to_type(ScalarType.Int64);
            var ix1 = ix.add(one, one);
            var iy1 = iy.add(one, one);
            var oneMinusWx = wx.neg().add(one, one);
            var oneMinusWy = wy.neg().add(one, one);
            var top = (Sample(source, ix, iy, height, width, parameters) * oneMinusWx).add(Sample(source, ix1, iy, height, width, parameters) * wx, one);
            var bottom = (Sample(source, ix, iy1, height, width, parameters) * oneMinusWx).add(Sample(source, ix1, iy1, height, width, parameters) * wx, one);
            result = (top * oneMinusWy).add(bottom * wy, one);
        }
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Source pixels at integer positions (H, W) with the border rule applied; (H, W, C).</summary>
    private static Tensor Sample(Tensor source, Tensor ix, Tensor iy, int height, int width, TransformParameters parameters)
    {
        var x = Border(ix, width, parameters.fill_mode);
        var y = Border(iy, height, parameters.fill_mode);
        using var widthScalar = width.ToScalar();
        using var heightScalar = height.ToScalar();
        var values = source.index_select(0, y.mul(widthScalar).add(x, HeldScalar.OfInteger(1)).flatten())
            .view(ix.shape[0], ix.shape[1], source.shape[1]);
        if (values.dtype != ScalarType.Float32) values = values.to_type(ScalarType.Float32);
        if (parameters.fill_mode != "constant") return values;
        var zero = HeldScalar.OfInteger(0);
        var inside = (ix.ge(zero) & ix.lt(widthScalar) & iy.ge(zero) & iy.lt(heightScalar)).unsqueeze(-1);
        using var fill = tensor(parameters.cval); // a 0-dim float64 tensor, as the implicit double → Tensor made
        return values.where(inside, fill);
    }

    /// <summary>OpenCV's <c>borderInterpolate</c> for a tensor of positions along an axis of length n.</summary>
    private static Tensor Border(Tensor p, int n, string fillMode)
    {
        using var length = n.ToScalar();
        switch (fillMode)
        {
            case "wrap":
                return p.remainder(length);
            case "reflect":
                if (n == 1) return zeros_like(p);
                using (var period = (2L * (n - 1)).ToScalar())
                {
                    var folded = p.abs().remainder(period);
                    return folded.where(folded.lt(length), folded.neg().add(period, HeldScalar.OfInteger(1)));
                }
            default:
                // 'nearest' replicates the edge; 'constant' clamps only to index safely and masks afterwards.
                using (var last = (n - 1).ToScalar())
                    return p.clamp(HeldScalar.OfInteger(0), last);
        }
    }
}
