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
        var table = NmsBoxes.From(boxes.index_select(0, sorted));
        var kept = Greedy(table, Enumerable.Range(0, table.Count).ToArray(), max_output_size, (float)iou_threshold);
        var positions = tensor(kept.Select(i => (long)i).ToArray(), device: boxes.device);
        return sorted.index_select(0, positions).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The greedy pass: visits <paramref name="order"/> (positions into <paramref name="boxes"/>, by descending
    /// score) and returns the positions kept, at most <paramref name="maxOutput"/>.
    /// </summary>
    internal static List<int> Greedy(NmsBoxes boxes, IReadOnlyList<int> order, long maxOutput, float threshold)
    {
        int n = order.Count, lanes = Vector<float>.Count;
        // Kept boxes, padded to whole vectors with zero boxes, whose IoU with anything is 0 (or 0/0, never > threshold).
        var kx1 = new float[n + lanes]; var ky1 = new float[n + lanes];
        var kx2 = new float[n + lanes]; var ky2 = new float[n + lanes]; var karea = new float[n + lanes];
        var kept = new List<int>();
        var zero = Vector<float>.Zero;
        var limit = new Vector<float>(threshold);
        for (int o = 0; o < n && kept.Count < maxOutput; o++)
        {
            int i = order[o];
            var cx1 = new Vector<float>(boxes.X1[i]); var cy1 = new Vector<float>(boxes.Y1[i]);
            var cx2 = new Vector<float>(boxes.X2[i]); var cy2 = new Vector<float>(boxes.Y2[i]);
            var carea = new Vector<float>(boxes.Area[i]);
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
            kx1[k] = boxes.X1[i]; ky1[k] = boxes.Y1[i]; kx2[k] = boxes.X2[i]; ky2[k] = boxes.Y2[i]; karea[k] = boxes.Area[i];
            kept.Add(i);
        }
        return kept;
    }
}

/// <summary>
/// Boxes as NMS compares them: float32 on the CPU, corners ordered min/max (as TensorFlow does) and areas.
/// </summary>
internal sealed class NmsBoxes
{
    public required float[] X1 { get; init; }
    public required float[] Y1 { get; init; }
    public required float[] X2 { get; init; }
    public required float[] Y2 { get; init; }
    public required float[] Area { get; init; }
    public int Count => X1.Length;

    /// <summary>Reads (N, 4) boxes.</summary>
    public static NmsBoxes From(Tensor boxes)
    {
        using var scope = NewDisposeScope();
        var n = (int)boxes.shape[0];
        var values = new float[n * 4];
        if (n > 0) boxes.to(ScalarType.Float32).cpu().contiguous().data<float>().CopyTo(values, 0);
        var table = new NmsBoxes { X1 = new float[n], Y1 = new float[n], X2 = new float[n], Y2 = new float[n], Area = new float[n] };
        for (int i = 0; i < n; i++)
        {
            float a = values[4 * i], b = values[4 * i + 1], c = values[4 * i + 2], d = values[4 * i + 3];
            table.X1[i] = Math.Min(a, c); table.Y1[i] = Math.Min(b, d);
            table.X2[i] = Math.Max(a, c); table.Y2[i] = Math.Max(b, d);
            // Two float32 operations, as TensorFlow computes the area.
            float width = table.X2[i] - table.X1[i], height = table.Y2[i] - table.Y1[i];
            table.Area[i] = width * height;
        }
        return table;
    }
}
