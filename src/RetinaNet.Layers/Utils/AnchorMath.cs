using RetinaNet.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RetinaNet.Layers.Utils;

/// <summary>Feature-map sizes (height, width) of each pyramid level for an image shape (see <see cref="AnchorMath.guess_shapes"/>).</summary>
public delegate IReadOnlyList<long[]> ShapesCallback(long[] image_shape, IReadOnlyList<int> pyramid_levels);

/// <summary>
/// Anchor maths of keras-retinanet (<c>utils/anchors.py</c> and <c>utils/compute_overlap.pyx</c>), under the same
/// names; the box coding is <see cref="BoxTransform"/>, the in-graph anchors of one level the
/// <see cref="RetinaNet.Layers.Anchors"/> layer. Boxes are (x1, y1, x2, y2) in continuous pixel coordinates: widths
/// are <c>x2 - x1</c>, with no "+1" anywhere. Import with <c>using static RetinaNet.Layers.Utils.AnchorMath;</c> to
/// call these as keras-retinanet code does.
/// </summary>
public static class AnchorMath
{
    /// <summary>
    /// The anchors of one cell, centred on (0, 0), as a float64 (A, 4) tensor with A = |ratios|·|scales|,
    /// ratio-major and scale-minor: side <c>base_size·scale</c> squared is the area, <c>w = sqrt(area / ratio)</c>,
    /// <c>h = w·ratio</c>. Null ratios or scales mean <see cref="AnchorConfig.Default"/>'s.
    /// </summary>
    public static Tensor generate_anchors(int base_size = 16, double[]? ratios = null, double[]? scales = null)
    {
        ratios ??= AnchorConfig.Default.ratios_as_double();
        scales ??= AnchorConfig.Default.scales_as_double();
        using var scope = NewDisposeScope();
        var scale = tensor(scales, ScalarType.Float64).repeat(ratios.Length);
        var ratio = tensor(ratios, ScalarType.Float64).repeat_interleave(scales.Length);
        var side = scale.mul(HeldScalar.OfInteger(base_size));
        var w = (side * side / ratio).sqrt();
        var h = w * ratio;
        var minusHalf = HeldScalar.Of(-0.5);
        var half = HeldScalar.Of(0.5);
        return stack(new[] { w.mul(minusHalf), h.mul(minusHalf), w.mul(half), h.mul(half) }, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Copies <paramref name="anchors"/> (A, 4) to every cell of a (height, width) feature map with the given
    /// stride: cell centres at <c>((x + 0.5)·stride, (y + 0.5)·stride)</c>. Returns (H·W·A, 4) in the anchors'
    /// dtype and device, row <c>((y·W) + x)·A + a</c>.
    /// </summary>
    public static Tensor shift(long[] shape, double stride, Tensor anchors)
    {
        using var scope = NewDisposeScope();
        long height = shape[0], width = shape[1];
        using var strideScalar = stride.ToScalar();
        using var widthScalar = width.ToScalar();
        using var heightScalar = height.ToScalar();
        var shiftX = arange(HeldScalar.OfInteger(0), widthScalar, HeldScalar.OfInteger(1), anchors.dtype, anchors.device)
            .add(HeldScalar.Of(0.5), HeldScalar.One).mul(strideScalar);
        var shiftY = arange(HeldScalar.OfInteger(0), heightScalar, HeldScalar.OfInteger(1), anchors.dtype, anchors.device)
            .add(HeldScalar.Of(0.5), HeldScalar.One).mul(strideScalar);
        var x = shiftX.repeat(height);               // x fastest
        var y = shiftY.repeat_interleave(width);
        var shifts = stack(new[] { x, y, x, y }, 1); // (K, 4), K = H·W
        return anchors.unsqueeze(0).add(shifts.unsqueeze(1), HeldScalar.One).reshape(-1, 4).MoveToOuterDisposeScope();
    }

    /// <summary>Feature-map sizes of each level as <c>ceil(dim / 2^level)</c> for the image's height and width.</summary>
    public static IReadOnlyList<long[]> guess_shapes(long[] image_shape, IReadOnlyList<int> pyramid_levels) =>
        pyramid_levels.Select(level =>
        {
            long factor = 1L << level;
            return new[] { (image_shape[0] + factor - 1) / factor, (image_shape[1] + factor - 1) / factor };
        }).ToList();

    /// <summary>
    /// All anchors of an image of shape (height, width[, channels]) over the config's pyramid levels, levels
    /// concatenated in order: a float64 (N, 4) tensor on the CPU (keras-retinanet's <c>anchors_for_shape</c>, with
    /// its <c>pyramid_levels</c> and <c>anchor_params</c> as one <see cref="AnchorConfig"/>).
    /// </summary>
    /// <param name="image_shape">Height and width of the (padded) network input, optionally followed by channels.</param>
    /// <param name="anchors">Levels, sizes, strides, ratios and scales (default <see cref="AnchorConfig.Default"/>);
    /// level i uses <c>sizes[i]</c> and <c>strides[i]</c>.</param>
    /// <param name="shapes_callback">Feature-map sizes per level, default <see cref="guess_shapes"/>.</param>
    public static Tensor anchors_for_shape(long[] image_shape, AnchorConfig? anchors = null, ShapesCallback? shapes_callback = null)
    {
        anchors ??= AnchorConfig.Default;
        shapes_callback ??= guess_shapes;
        var pyramid_levels = anchors.pyramid_levels;
        var image_shapes = shapes_callback(image_shape, pyramid_levels);
        var ratios = anchors.ratios_as_double();
        var scales = anchors.scales_as_double();
        using var scope = NewDisposeScope();
        var levels = new List<Tensor>();
        for (int idx = 0; idx < pyramid_levels.Count; idx++)
        {
            var cell = generate_anchors(anchors.sizes[idx], ratios, scales);
            levels.Add(shift(image_shapes[idx], anchors.strides[idx], cell));
        }
        return cat(levels, 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// IoU of every box with every query box: (N, 4) × (K, 4) → (N, K), float64 as keras-retinanet's Cython
    /// <c>compute_overlap</c>. Only columns 0..3 are read. Pairs that do not overlap with positive width and height
    /// have IoU 0 (so touching boxes have 0).
    /// </summary>
    public static Tensor compute_overlap(Tensor boxes, Tensor query_boxes)
    {
        long n = boxes.shape[0], k = query_boxes.shape[0];
        if (n == 0 || k == 0) return zeros(new long[] { n, k }, ScalarType.Float64, boxes.device);
        // keras-retinanet's Cython loop, in parallel over rows: most anchor/box pairs do not overlap and stop after
        // the width test, which is several times faster than the dozen full (N, K) tensor passes of a broadcast.
        var b = Columns(boxes);
        var q = Columns(query_boxes);
        var queryArea = new double[k];
        for (int j = 0; j < k; j++) queryArea[j] = (q[4 * j + 2] - q[4 * j]) * (q[4 * j + 3] - q[4 * j + 1]);
        var result = new double[n * k];
        Parallel.For(0, (int)n, i =>
        {
            double x1 = b[4 * i], y1 = b[4 * i + 1], x2 = b[4 * i + 2], y2 = b[4 * i + 3];
            double area = (x2 - x1) * (y2 - y1);
            long row = i * k;
            for (int j = 0; j < k; j++)
            {
                var iw = Math.Min(x2, q[4 * j + 2]) - Math.Max(x1, q[4 * j]);
                if (iw <= 0) continue;
                var ih = Math.Min(y2, q[4 * j + 3]) - Math.Max(y1, q[4 * j + 1]);
                if (ih <= 0) continue;
                var intersection = iw * ih;
                result[row + j] = intersection / (area + queryArea[j] - intersection);
            }
        });
        return tensor(result, new long[] { n, k }, ScalarType.Float64).to(boxes.device);
    }

    /// <summary>The first four columns of (N, 4+) boxes as a flat float64 array (x1, y1, x2, y2 per row).</summary>
    static double[] Columns(Tensor boxes)
    {
        using var scope = NewDisposeScope();
        return boxes.narrow(1, 0, 4).to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
    }

    /// <summary>
    /// Matches anchors to ground-truth boxes by IoU: for each anchor the best box (<c>argmax_overlaps_inds</c>),
    /// <c>positive_indices</c> where that IoU ≥ <paramref name="positive_overlap"/> and <c>ignore_indices</c> where
    /// it lies in (<paramref name="negative_overlap"/>, <paramref name="positive_overlap"/>). The index sets are
    /// boolean (N,) masks; there is no forced match for boxes that no anchor reaches.
    /// </summary>
    /// <param name="anchors">(N, 4) anchors.</param>
    /// <param name="annotations">(K, 4+) ground-truth boxes, K ≥ 1.</param>
    /// <param name="negative_overlap">IoU up to which an anchor is background.</param>
    /// <param name="positive_overlap">IoU from which an anchor is foreground.</param>
    public static (Tensor positive_indices, Tensor ignore_indices, Tensor argmax_overlaps_inds) compute_gt_annotations(
        Tensor anchors, Tensor annotations, double negative_overlap = 0.4, double positive_overlap = 0.5)
    {
        if (annotations.shape[0] == 0)
            throw new ArgumentException("compute_gt_annotations needs at least one annotation.", nameof(annotations));
        using var scope = NewDisposeScope();
        using var overlaps = compute_overlap(anchors, annotations);
        // argmax takes the first maximum, as numpy's does.
        var argmax = overlaps.argmax(1);
        var max_overlaps = overlaps.gather(1, argmax.unsqueeze(1)).squeeze(1);
        using var positiveScalar = positive_overlap.ToScalar();
        using var negativeScalar = negative_overlap.ToScalar();
        var positive = max_overlaps.ge(positiveScalar);
        var ignore = max_overlaps.gt(negativeScalar).logical_and_(positive.logical_not());
        return (positive.MoveToOuterDisposeScope(), ignore.MoveToOuterDisposeScope(),
            argmax.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Training targets for a batch (keras-retinanet's <c>anchor_targets_bbox</c>), float32:
    /// <c>regression_batch</c> (B, N, 4+1) with <see cref="BoxTransform.bbox_transform"/> of each anchor's best box, and
    /// <c>labels_batch</c> (B, N, num_classes+1) one-hot on positive anchors; the last column of both is the anchor
    /// state: 1 positive, 0 background, -1 ignored (IoU in the ignore band, or the anchor's centre outside the
    /// image's own height/width, i.e. in the zero padding).
    /// </summary>
    /// <param name="anchors">(N, 4) anchors of the padded batch shape (see <see cref="anchors_for_shape"/>).</param>
    /// <param name="image_shapes">Each image's (height, width[, channels]) before padding.</param>
    /// <param name="annotations_group">Each image's ground truth (may hold no boxes).</param>
    /// <param name="num_classes">Number of classes C.</param>
    /// <param name="negative_overlap">IoU up to which an anchor is background.</param>
    /// <param name="positive_overlap">IoU from which an anchor is foreground.</param>
    public static (Tensor regression_batch, Tensor labels_batch) anchor_targets_bbox(Tensor anchors,
        IReadOnlyList<long[]> image_shapes, IReadOnlyList<AnnotationTensors> annotations_group, int num_classes,
        double negative_overlap = 0.4, double positive_overlap = 0.5)
    {
        if (image_shapes.Count != annotations_group.Count)
            throw new ArgumentException("The length of the images and annotations need to be equal.");
        if (annotations_group.Count == 0)
            throw new ArgumentException("No data received to compute anchor targets for.");
        foreach (var annotations in annotations_group)
        {
            if (annotations.bboxes is null) throw new ArgumentException("Annotations should contain bboxes.");
            if (annotations.labels is null) throw new ArgumentException("Annotations should contain labels.");
        }

        int batch_size = image_shapes.Count;
        long n = anchors.shape[0];
        var device = anchors.device;
        var regression_batch = zeros(new long[] { batch_size, n, 4 + 1 }, ScalarType.Float32, device);
        var labels_batch = zeros(new long[] { batch_size, n, num_classes + 1 }, ScalarType.Float32, device);
        using var scope = NewDisposeScope();
        var two = HeldScalar.OfInteger(2);
        var centerX = anchors.select(1, 0).add(anchors.select(1, 2), HeldScalar.One).div(two);
        var centerY = anchors.select(1, 1).add(anchors.select(1, 3), HeldScalar.One).div(two);
        for (int index = 0; index < batch_size; index++)
        {
            var annotations = annotations_group[index];
            var regression = regression_batch[index];
            var labels = labels_batch[index];
            if (annotations.bboxes.shape[0] > 0)
            {
                var bboxes = annotations.bboxes.to(device);
                var (positive, ignore, argmax) = compute_gt_annotations(anchors, bboxes, negative_overlap, positive_overlap);
                var state = zeros(n, ScalarType.Float32, device).masked_fill_(ignore, HeldScalar.OfInteger(-1))
                    .masked_fill_(positive, HeldScalar.OfInteger(1));
                labels.select(1, num_classes).copy_(state);
                regression.select(1, 4).copy_(state);

                var positiveRows = positive.nonzero().squeeze(1);
                var classes = annotations.labels.to(device).to(ScalarType.Int64).index_select(0, argmax.index_select(0, positiveRows));
                labels.index_put_(HeldScalar.One, new[] { positiveRows, classes });

                regression.narrow(1, 0, 4).copy_(BoxTransform.bbox_transform(anchors, bboxes.index_select(0, argmax)));
            }

            using var imageWidth = image_shapes[index][1].ToScalar();
            using var imageHeight = image_shapes[index][0].ToScalar();
            var outside = centerX.ge(imageWidth).logical_or_(centerY.ge(imageHeight));
            labels.select(1, num_classes).masked_fill_(outside, HeldScalar.OfInteger(-1));
            regression.select(1, 4).masked_fill_(outside, HeldScalar.OfInteger(-1));
        }
        return (regression_batch, labels_batch);
    }
}
