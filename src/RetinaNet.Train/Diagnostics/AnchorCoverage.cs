using RetinaNet.Layers.Utils;
using RetinaNet.Train.Evaluation;

namespace RetinaNet.Train.Diagnostics;

/// <summary>
/// The best IoU any anchor reaches with a box, as keras-retinanet's targets see it: the anchors of
/// <c>anchors_for_shape</c> for the input's size, leaving out anchors whose centre lies outside the image (training
/// ignores them). A box gets a positive anchor when that IoU is ≥ 0.5.
/// </summary>
/// <remarks>
/// Only the anchor centre nearest the box centre matters for each level and shape: IoU falls as the centre moves
/// away in x or y, so the nearest grid point in each axis wins. That makes the check O(levels · shapes) per box
/// instead of one IoU per anchor of the image, fast enough to search anchor settings over a whole dataset.
/// </remarks>
public sealed class AnchorCoverage
{
    /// <summary>keras-retinanet's <c>positive_overlap</c>.</summary>
    public const double PositiveIoU = 0.5;

    readonly (double Width, double Height)[][] shapes; // per level
    readonly int[] strides;
    readonly int[] levels;

    /// <summary>Coverage for these anchors on their pyramid levels.</summary>
    public AnchorCoverage(AnchorConfig parameters)
    {
        Parameters = parameters;
        levels = parameters.pyramid_levels.ToArray();
        strides = parameters.strides.ToArray();
        shapes = parameters.sizes.Select(size => Shapes(size, parameters.ratios, parameters.scales)).ToArray();
    }

    /// <summary>The anchor configuration.</summary>
    public AnchorConfig Parameters { get; }

    /// <summary>The (width, height) of each anchor of a cell with base size <paramref name="size"/>, as <c>generate_anchors</c>.</summary>
    public static (double Width, double Height)[] Shapes(int size, IEnumerable<float> ratios, IEnumerable<float> scales) =>
        ratios.SelectMany(r => scales.Select(s =>
        {
            double side = s * (double)size;
            double w = Math.Sqrt(side * side / r);
            return (w, w * r);
        })).ToArray();

    /// <summary>The best IoU of any anchor with <paramref name="box"/> in an input of the given size.</summary>
    public double BestIoU(CornerBox box, int height, int width)
    {
        double cx = (box.X1 + box.X2) / 2, cy = (box.Y1 + box.Y2) / 2, best = 0;
        for (int l = 0; l < levels.Length; l++)
        {
            long factor = 1L << levels[l];
            int stride = strides[l];
            double ax = NearestCentre(cx, stride, (width + factor - 1) / factor, width);
            double ay = NearestCentre(cy, stride, (height + factor - 1) / factor, height);
            if (double.IsNaN(ax) || double.IsNaN(ay)) continue;
            foreach (var (w, h) in shapes[l])
                best = Math.Max(best, new CornerBox(ax - w / 2, ay - h / 2, ax + w / 2, ay + h / 2).IoU(box));
        }
        return best;
    }

    /// <summary>Best IoU of each box.</summary>
    public double[] BestIoU(IReadOnlyList<DatasetBox> boxes)
    {
        var result = new double[boxes.Count];
        Parallel.For(0, boxes.Count, i => result[i] = BestIoU(boxes[i].Input, boxes[i].InputHeight, boxes[i].InputWidth));
        return result;
    }

    /// <summary>Share of boxes whose best IoU is ≥ 0.5 (1 for no boxes).</summary>
    public static double Share(IReadOnlyList<double> bestIoU) =>
        bestIoU.Count == 0 ? 1 : (double)bestIoU.Count(v => v >= PositiveIoU) / bestIoU.Count;

    // The centre (i + 0.5)·stride nearest v over the cells 0..cells-1 whose centre is inside the image.
    static double NearestCentre(double v, int stride, long cells, int size)
    {
        long last = Math.Min(cells - 1, (long)Math.Ceiling(size / (double)stride - 0.5) - 1);
        if (last < 0) return double.NaN;
        long i = Math.Clamp((long)Math.Round(v / stride - 0.5), 0, last);
        return (i + 0.5) * stride;
    }
}
