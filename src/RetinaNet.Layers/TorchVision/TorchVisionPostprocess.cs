using RetinaNet.Core;
using RetinaNet.Layers.Utils;
using TorchSharp;
using static TorchSharp.torch;

namespace RetinaNet.Layers.TorchVision;

/// <summary>Detections of one image: boxes (N, 4) as (x1, y1, x2, y2) in original pixels, scores (N), labels (N, int64).</summary>
public sealed record TorchVisionDetections(Tensor boxes, Tensor scores, Tensor labels) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose()
    {
        boxes.Dispose();
        scores.Dispose();
        labels.Dispose();
    }
}

/// <summary>
/// torchvision's <c>RetinaNet.postprocess_detections</c>: per level, scores above <see cref="score_thresh"/>, the
/// best <see cref="topk_candidates"/> of them (class-major flattening: index = anchor·K + class), decoded with
/// <see cref="TorchVisionBoxCoder"/> and clipped to the resized image; then per-class NMS at <see cref="nms_thresh"/>
/// over all levels, by descending score, at most <see cref="detections_per_img"/>; finally boxes are scaled back to
/// the original image (divided by the float32 ratio resized/original, as <c>transform.postprocess</c>).
/// </summary>
/// <remarks>
/// torchvision's <c>batched_nms</c> offsets boxes by class for small inputs (≤ 1000 boxes on the CPU) and runs NMS
/// per class otherwise; both mean NMS within each class, which is what this does in every case.
/// </remarks>
public sealed record TorchVisionPostprocess(double score_thresh = 0.05, double nms_thresh = 0.5, int detections_per_img = 300,
    int topk_candidates = 1000)
{
    /// <summary>Detections of one image from its rows of the model's outputs.</summary>
    /// <param name="regression">(N, 4) deltas.</param>
    /// <param name="classification">(N, K) sigmoid scores.</param>
    /// <param name="anchors">(N, 4) anchors.</param>
    /// <param name="levelCounts">Rows per pyramid level, summing to N.</param>
    /// <param name="resized">The image's size in the model input (before padding).</param>
    /// <param name="original">The image's original size.</param>
    public TorchVisionDetections Apply(Tensor regression, Tensor classification, Tensor anchors, long[] levelCounts,
        (long height, long width) resized, (long height, long width) original)
    {
        using var scope = NewDisposeScope();
        var numClasses = classification.shape[1];
        using var classesScalar = numClasses.ToScalar();
        var threshold = tensor(score_thresh, classification.dtype, classification.device);
        var boxes = new List<Tensor>(); var scores = new List<Tensor>(); var labels = new List<Tensor>();
        long start = 0;
        foreach (var count in levelCounts)
        {
            var levelScores = classification.narrow(0, start, count).flatten();
            var candidates = levelScores.gt(threshold).nonzero().view(-1);
            var k = Math.Min(topk_candidates, candidates.shape[0]);
            var (top, order) = levelScores.index_select(0, candidates).topk((int)k);
            var indices = candidates.index_select(0, order);
            using var startScalar = start.ToScalar();
            var anchorIndices = indices.div(classesScalar, RoundingMode.floor).add(startScalar, HeldScalar.OfInteger(1));
            labels.Add(indices.remainder(classesScalar));
            scores.Add(top);
            var decoded = TorchVisionBoxCoder.Decode(regression.index_select(0, anchorIndices), anchors.index_select(0, anchorIndices));
            boxes.Add(Clip(decoded, resized));
            start += count;
        }
        var allBoxes = cat(boxes, 0); var allScores = cat(scores, 0); var allLabels = cat(labels, 0);
        var keep = BatchedNms(allBoxes, allScores, allLabels);
        if (keep.shape[0] > detections_per_img) keep = keep.narrow(0, 0, detections_per_img);
        var ratioH = tensor((float)resized.height).div(tensor((float)original.height)).to(allBoxes.device);
        var ratioW = tensor((float)resized.width).div(tensor((float)original.width)).to(allBoxes.device);
        var kept = allBoxes.index_select(0, keep);
        var ratios = stack(new[] { ratioW, ratioH, ratioW, ratioH }).view(1, 4);
        return new TorchVisionDetections(kept.div(ratios).MoveToOuterDisposeScope(),
            allScores.index_select(0, keep).MoveToOuterDisposeScope(), allLabels.index_select(0, keep).MoveToOuterDisposeScope());
    }

    internal static Tensor Clip(Tensor boxes, (long height, long width) size)
    {
        var x = boxes.index_select(1, tensor(new long[] { 0, 2 }, device: boxes.device))
            .clamp(HeldScalar.Of(0), HeldScalar.Of(size.width));
        var y = boxes.index_select(1, tensor(new long[] { 1, 3 }, device: boxes.device))
            .clamp(HeldScalar.Of(0), HeldScalar.Of(size.height));
        return stack(new[] { x.select(1, 0), y.select(1, 0), x.select(1, 1), y.select(1, 1) }, 1);
    }

    /// <summary>NMS within each class; kept indices by descending score.</summary>
    Tensor BatchedNms(Tensor boxes, Tensor scores, Tensor labels)
    {
        var kept = new List<Tensor>();
        var classes = labels.unique().Item1.data<long>().ToArray();
        foreach (var c in classes)
        {
            var members = labels.eq(tensor(c, device: labels.device)).nonzero().view(-1);
            var keepInClass = Nms.non_max_suppression(boxes.index_select(0, members), scores.index_select(0, members),
                long.MaxValue, nms_thresh);
            kept.Add(members.index_select(0, keepInClass));
        }
        if (kept.Count == 0) return empty(0, ScalarType.Int64, boxes.device);
        var all = cat(kept, 0);
        var order = scores.index_select(0, all).sort(0, descending: true, stable: true).Indices;
        return all.index_select(0, order);
    }
}
