using static TorchSharp.torch;

namespace RetinaNet.Layers.TorchVision;

/// <summary>
/// torchvision's <c>AnchorGenerator</c> as RetinaNet configures it: per level P3–P7 the sizes
/// <c>(s, int(s·2^(1/3)), int(s·2^(2/3)))</c> for s = 32…512 (so 32, 40, 50 …, truncated) and aspect ratios 0.5, 1, 2.
/// Base anchors are <c>round([-w, -h, w, h] / 2)</c> with <c>h = sqrt(ratio)·size</c>, <c>w = size / sqrt(ratio)</c>,
/// ratio-major, rounded half to even in float32. They are shifted to <c>(x·stride, y·stride)</c> — the cell's corner,
/// without keras-retinanet's +0.5 — where a level's stride is the padded image size integer-divided by the
/// feature map's size (so P6/P7 of an image whose side is not a multiple of 128 get strides other than 64/128).
/// Rows are ordered (level, y, x, anchor), as the heads' outputs.
/// </summary>
public static class TorchVisionAnchorGenerator
{
    static readonly int[] BaseSizes = { 32, 64, 128, 256, 512 };
    static readonly float[] AspectRatios = { 0.5f, 1.0f, 2.0f };

    /// <summary>The three anchor sizes of a level (0 = P3).</summary>
    public static int[] Sizes(int level)
    {
        var s = BaseSizes[level];
        return new[] { s, (int)(s * Math.Pow(2, 1.0 / 3)), (int)(s * Math.Pow(2, 2.0 / 3)) };
    }

    /// <summary>Base anchors of a level, (9, 4) as (x1, y1, x2, y2) around (0, 0).</summary>
    public static float[] BaseAnchors(int level)
    {
        var scales = Sizes(level).Select(s => (float)s).ToArray();
        var anchors = new List<float>();
        foreach (var ratio in AspectRatios)
        {
            float h = MathF.Sqrt(ratio), w = 1f / h;
            foreach (var scale in scales)
            {
                float ws = w * scale, hs = h * scale;
                // torch.round rounds half to even, as MathF.Round does by default.
                anchors.AddRange(new[] { MathF.Round(-ws / 2f), MathF.Round(-hs / 2f), MathF.Round(ws / 2f), MathF.Round(hs / 2f) });
            }
        }
        return anchors.ToArray();
    }

    /// <summary>
    /// Feature map sizes of P3–P7 for a padded input of <paramref name="size"/> pixels along one axis: every
    /// stride-2 layer (7×7 pad 3, 3×3 pad 1, max pool 3 pad 1) maps n to <c>(n − 1) / 2 + 1</c>.
    /// </summary>
    public static long[] FeatureSizes(long size)
    {
        static long Half(long n) => (n - 1) / 2 + 1;
        var sizes = new long[5];
        var n = Half(Half(size)); // stem: conv1, maxpool (C2)
        for (int level = 0; level < 5; level++)
        {
            n = Half(n);
            sizes[level] = n;
        }
        return sizes;
    }

    /// <summary>Anchors of every level for a padded image batch of the given height and width, (N, 4) float32.</summary>
    public static Tensor Generate(long imageHeight, long imageWidth, Device? device = null)
    {
        var heights = FeatureSizes(imageHeight);
        var widths = FeatureSizes(imageWidth);
        var all = new List<float>();
        for (int level = 0; level < 5; level++)
        {
            long gh = heights[level], gw = widths[level];
            long strideH = imageHeight / gh, strideW = imageWidth / gw;
            var cell = BaseAnchors(level);
            for (long y = 0; y < gh; y++)
                for (long x = 0; x < gw; x++)
                {
                    float sx = x * strideW, sy = y * strideH;
                    for (int a = 0; a < cell.Length; a += 4)
                        all.AddRange(new[] { sx + cell[a], sy + cell[a + 1], sx + cell[a + 2], sy + cell[a + 3] });
                }
        }
        return tensor(all.ToArray(), device: device).reshape(-1, 4);
    }

    /// <summary>Anchors per level for a padded image (H·W·9 for each of P3–P7).</summary>
    public static long[] LevelCounts(long imageHeight, long imageWidth)
    {
        var heights = FeatureSizes(imageHeight);
        var widths = FeatureSizes(imageWidth);
        return Enumerable.Range(0, 5).Select(l => heights[l] * widths[l] * TorchVisionRetinaNet.NumAnchors).ToArray();
    }
}
