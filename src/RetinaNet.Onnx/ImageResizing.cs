namespace RetinaNet.Inference;

/// <summary>
/// keras-retinanet's image sizing in plain C# (no libtorch): the min/max-side scale and OpenCV's bilinear resize,
/// computed in the same float32 steps as RetinaNet.Train's <c>ImagePreprocessing</c>, so ONNX Runtime gets the same
/// network input as the TorchSharp path.
/// </summary>
public static class ImageResizing
{
    /// <summary>The scale that makes the smaller side <paramref name="minSide"/>, reduced so the larger side stays within <paramref name="maxSide"/>.</summary>
    public static double ResizeScale(long rows, long cols, double minSide = 800, double maxSide = 1333)
    {
        double scale = minSide / Math.Min(rows, cols);
        double largest = Math.Max(rows, cols);
        if (largest * scale > maxSide) scale = maxSide / largest;
        return scale;
    }

    /// <summary>Resizes by <see cref="ResizeScale"/>; returns the image and the scale (boxes are divided by it).</summary>
    public static (BgrImage image, double scale) Resize(BgrImage image, double minSide = 800, double maxSide = 1333)
    {
        var scale = ResizeScale(image.Height, image.Width, minSide, maxSide);
        return (ResizeBilinear(image, scale, scale), scale);
    }

    /// <summary>
    /// <c>cv2.resize(img, None, fx, fy)</c> with INTER_LINEAR: output size <c>round(W·fx) × round(H·fy)</c> (half to even),
    /// source position <c>(d + 0.5) / f − 0.5</c> in float32, clamped to the first and last pixel; rows are blended
    /// first, then columns.
    /// </summary>
    public static BgrImage ResizeBilinear(BgrImage image, double fx, double fy)
    {
        if (!(fx > 0) || !(fy > 0)) throw new ArgumentException($"scale factors must be positive, got ({fx}, {fy}).");
        int height = image.Height, width = image.Width;
        int outHeight = Math.Max(1, (int)Math.Round(height * fy)), outWidth = Math.Max(1, (int)Math.Round(width * fx));
        var (top, bottom, wy) = Taps(height, outHeight, 1.0 / fy);
        var (left, right, wx) = Taps(width, outWidth, 1.0 / fx);
        var source = image.Pixels;
        var rows = new float[outHeight * width * 3];
        for (int y = 0; y < outHeight; y++)
        {
            float b = wy[y], a = 1 - b;
            int t = top[y] * width * 3, u = bottom[y] * width * 3, o = y * width * 3;
            for (int i = 0; i < width * 3; i++) rows[o + i] = source[t + i] * a + source[u + i] * b;
        }
        var result = new float[outHeight * outWidth * 3];
        for (int y = 0; y < outHeight; y++)
            for (int x = 0; x < outWidth; x++)
            {
                float b = wx[x], a = 1 - b;
                int l = (y * width + left[x]) * 3, r = (y * width + right[x]) * 3, o = (y * outWidth + x) * 3;
                for (int ch = 0; ch < 3; ch++) result[o + ch] = rows[l + ch] * a + rows[r + ch] * b;
            }
        return new BgrImage(outHeight, outWidth, result);
    }

    /// <summary>
    /// OpenCV's INTER_LINEAR set-up along one axis: for each output index, the two source indices and the weight of the
    /// second. The position is computed in single precision; positions left of the first pixel centre use the first
    /// pixel, right of the last the last. Shared with RetinaNet.Train's tensor resize, so both engines sample alike.
    /// </summary>
    public static (int[] first, int[] second, float[] weight) Taps(int size, int outSize, double inverseScale)
    {
        var first = new int[outSize];
        var second = new int[outSize];
        var weight = new float[outSize];
        for (int d = 0; d < outSize; d++)
        {
            float position = (float)((d + 0.5) * inverseScale - 0.5);
            int index = (int)Math.Floor(position);
            float fraction = position - index;
            if (index < 0) (index, fraction) = (0, 0f);
            if (index >= size - 1) (index, fraction) = (size - 1, 0f);
            first[d] = index;
            second[d] = Math.Min(index + 1, size - 1);
            weight[d] = fraction;
        }
        return (first, second, weight);
    }
}
