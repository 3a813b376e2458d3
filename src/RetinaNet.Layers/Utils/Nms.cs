using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace RetinaNet.Layers.Utils;

/// <summary>
/// Greedy non-maximum suppression with TensorFlow's <c>tf.image.non_max_suppression</c> semantics, which
/// keras-retinanet's <c>FilterDetections</c> relies on.
/// </summary>
/// <remarks>
/// Selecting, sorting and normalising the candidates are tensor operations; the greedy pass itself is sequential
/// (each decision depends on the boxes kept before), so it runs as one SIMD loop over the kept boxes rather than as
/// tensor operations per block or per kept box: with 10k candidates that is tens of milliseconds where blocked
/// tensor IoU matrices took seconds, spent on temporaries and dispatch rather than arithmetic.
/// </remarks>
public static class Nms
{
    /// <summary>
    /// Indices (int64, into <paramref name="boxes"/>, on its device) of the boxes kept, in descending score order.
    /// Candidates (score &gt; <paramref name="score_threshold"/>) are visited by descending score (ties: lower index
    /// first); a candidate is dropped when its IoU with an already kept box is &gt; <paramref name="iou_threshold"/>.
    /// IoU is continuous (no +1) and computed in float32 with TensorFlow's operations; corners may come in either
    /// order, and boxes of zero area overlap nothing.
    /// </summary>
    /// <param name="boxes">(N, 4) boxes as (x1, y1, x2, y2) (TensorFlow's (y1, x1, y2, x2) gives the same IoU).</param>
    /// <param name="scores">(N,) scores.</param>
    /// <param name="max_output_size">Stop after this many kept boxes.</param>
    /// <param name="iou_threshold">Suppression threshold (an IoU equal to it does not suppress).</param>
    /// <param name="score_threshold">Only scores above this are candidates (default: all but NaN and -inf).</param>
    public static Tensor non_max_suppression(Tensor boxes, Tensor scores, long max_output_size,
        double iou_threshold = 0.5, double score_threshold = double.NegativeInfinity)
    {
        if (boxes.dim() != 2 || boxes.shape[1] != 4)
            throw new ArgumentException($"boxes must have shape (N, 4), got ({string.Join(", ", boxes.shape)}).", nameof(boxes));
        if (scores.dim() != 1 || scores.shape[0] != boxes.shape[0])
            throw new ArgumentException($"scores must have shape ({boxes.shape[0]},), got ({string.Join(", ", scores.shape)}).", nameof(scores));

        using var scope = NewDisposeScope();
        // Compared with a tensor rather than a Scalar: TorchSharp 0.107 intermittently failed to convert -inf to a
        // libtorch Scalar here ("Unknown scalar type") on long runs.
        var threshold = tensor(score_threshold, scores.dtype, scores.device);
        var candidates = (scores > threshold).nonzero().view(-1);
        if (candidates.shape[0] == 0 || max_output_size <= 0)
            return empty(0, ScalarType.Int64, boxes.device).MoveToOuterDisposeScope();

        var order = scores.index_select(0, candidates).sort(0, descending: true, stable: true).Indices;
        var sorted = candidates.index_select(0, order);
        var columns = BoxColumns(boxes.index_select(0, sorted));
        var kept = Greedy(columns, max_output_size, (float)iou_threshold);
        var positions = tensor(kept, device: boxes.device);
        return sorted.index_select(0, positions).MoveToOuterDisposeScope();
    }

    /// <summary>x1, y1, x2, y2 (corners ordered min/max, as TensorFlow does) and area of each box, float32 on the CPU.</summary>
    static float[][] BoxColumns(Tensor boxes)
    {
        using var scope = NewDisposeScope();
        var b = boxes.to(ScalarType.Float32).cpu();
        var first = b.narrow(1, 0, 2);
        var second = b.narrow(1, 2, 2);
        var low = minimum(first, second);
        var high = maximum(first, second);
        var size = high - low;
        var area = (size.select(1, 0) * size.select(1, 1)).unsqueeze(1);
        var table = cat(new[] { low, high, area }, 1).t().contiguous();
        return Enumerable.Range(0, 5).Select(i => table[i].data<float>().ToArray()).ToArray();
    }

    /// <summary>The greedy pass over boxes sorted by descending score; returns the kept positions.</summary>
    static long[] Greedy(float[][] columns, long maxOutput, float threshold)
    {
        float[] x1 = columns[0], y1 = columns[1], x2 = columns[2], y2 = columns[3], area = columns[4];
        int n = x1.Length, lanes = Vector<float>.Count;
        // Kept boxes, padded to whole vectors with zero boxes, whose IoU with anything is 0 (or 0/0, never > threshold).
        var kx1 = new float[n + lanes]; var ky1 = new float[n + lanes];
        var kx2 = new float[n + lanes]; var ky2 = new float[n + lanes]; var karea = new float[n + lanes];
        var kept = new List<long>();
        var zero = Vector<float>.Zero;
        var limit = new Vector<float>(threshold);
        for (int i = 0; i < n && kept.Count < maxOutput; i++)
        {
            var cx1 = new Vector<float>(x1[i]); var cy1 = new Vector<float>(y1[i]);
            var cx2 = new Vector<float>(x2[i]); var cy2 = new Vector<float>(y2[i]);
            var carea = new Vector<float>(area[i]);
            bool suppressed = false;
            for (int j = 0; j < kept.Count && !suppressed; j += lanes)
            {
                // TensorFlow's IOU(): intersection = max(dx, 0)·max(dy, 0), union = (area_i + area_j) - intersection.
                var dx = Vector.Max(Vector.Min(cx2, new Vector<float>(kx2, j)) - Vector.Max(cx1, new Vector<float>(kx1, j)), zero);
                var dy = Vector.Max(Vector.Min(cy2, new Vector<float>(ky2, j)) - Vector.Max(cy1, new Vector<float>(ky1, j)), zero);
                var intersection = dx * dy;
                var union = (carea + new Vector<float>(karea, j)) - intersection;
                suppressed = Vector.GreaterThanAny(intersection / union, limit);
            }
            if (suppressed) continue;
            int k = kept.Count;
            kx1[k] = x1[i]; ky1[k] = y1[i]; kx2[k] = x2[i]; ky2[k] = y2[i]; karea[k] = area[i];
            kept.Add(i);
        }
        return kept.ToArray();
    }
}
