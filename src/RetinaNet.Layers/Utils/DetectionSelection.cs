using RetinaNet.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RetinaNet.Layers.Utils;

/// <summary>
/// The (box, column) pairs that keras-retinanet's <c>filter_detections</c> keeps before its final top-k: for each
/// column (class) of a score matrix, the boxes scoring above the threshold, reduced by greedy NMS to at most
/// <c>max_detections</c>; listed column by column, each in NMS order.
/// </summary>
/// <remarks>
/// Running NMS on every candidate of every class is what makes a low score threshold slow (with threshold 0 that is
/// every anchor of every class: 200k × 80). Only the final <c>max_detections</c> best pairs matter, so the search
/// works above a score floor and lowers it until the answer is settled, with exactly the same result:
/// <list type="number">
/// <item>the floor is the k-th best of the boxes' best scores, so every pair above it lies in those k boxes;</item>
/// <item>a pair's NMS fate depends only on better pairs of its class, so NMS over the pairs above the floor keeps
/// exactly the pairs above the floor that full NMS keeps;</item>
/// <item>once that gives <c>max_detections</c> pairs, everything below the floor would rank after them, so the
/// search stops; otherwise k grows fourfold (at worst to every box, which is the plain algorithm).</item>
/// </list>
/// torchvision instead keeps a fixed 1000 candidates per level, which changes results; this does not.
/// </remarks>
internal static class DetectionSelection
{
    /// <summary>Boxes looked at first: enough for max_detections pairs in all but contrived cases.</summary>
    const long InitialBoxes = 1024;

    /// <summary>
    /// Selects the pairs. Returns box indices and column indices (int64, on the scores' device), column-major, each
    /// column in the order NMS kept its boxes (or by ascending box index without NMS).
    /// </summary>
    /// <param name="boxes">(N, 4) boxes.</param>
    /// <param name="scores">(N, C) scores.</param>
    /// <param name="nms">Apply NMS per column.</param>
    /// <param name="scoreThreshold">Pairs must score strictly above this.</param>
    /// <param name="maxDetections">NMS keeps at most this many per column; the caller keeps this many overall.</param>
    /// <param name="nmsThreshold">IoU above which NMS suppresses.</param>
    public static (Tensor boxIndices, Tensor columns) Select(Tensor boxes, Tensor scores, bool nms,
        double scoreThreshold, int maxDetections, double nmsThreshold)
    {
        using var scope = NewDisposeScope();
        long n = scores.shape[0];
        var best = n > 0 ? scores.amax(1) : empty(0, scores.dtype, scores.device);
        for (long k = Math.Max(InitialBoxes, 4L * maxDetections); ; k *= 4)
        {
            bool everything = k >= n;
            Tensor rows;
            double floor = double.NegativeInfinity;
            if (everything)
                {
                using var count = n.ToScalar();
                rows = arange(HeldScalar.OfInteger(0), count, HeldScalar.OfInteger(1), ScalarType.Int64, scores.device);
            }
            else
            {
                floor = best.topk((int)k).values[k - 1].to(ScalarType.Float64).item<double>();
                rows = (best > tensor(floor, best.dtype, best.device)).nonzero().view(-1);
            }
            bool complete = everything || floor <= scoreThreshold;
            var (rowPositions, columns) = SelectAbove(boxes.index_select(0, rows), scores.index_select(0, rows),
                Math.Max(floor, scoreThreshold), nms, maxDetections, (float)nmsThreshold);
            if (complete || rowPositions.Length >= maxDetections)
            {
                var positions = tensor(rowPositions, device: scores.device);
                return (rows.index_select(0, positions).MoveToOuterDisposeScope(),
                        tensor(columns, device: scores.device).MoveToOuterDisposeScope());
            }
        }
    }

    /// <summary>The kept pairs among the given rows whose score is above <paramref name="threshold"/>.</summary>
    static (long[] rows, long[] columns) SelectAbove(Tensor boxes, Tensor scores, double threshold, bool nms,
        int maxDetections, float nmsThreshold)
    {
        using var scope = NewDisposeScope();
        // Row-major nonzero of the transposed mask lists the pairs column by column, rows ascending (TF's where()).
        var mask = scores.t() > tensor(threshold, scores.dtype, scores.device);
        var pairs = mask.nonzero().cpu();
        long count = pairs.shape[0];
        if (count == 0) return (Array.Empty<long>(), Array.Empty<long>());
        var pairColumns = pairs.select(1, 0).contiguous().data<long>().ToArray();
        var pairRows = pairs.select(1, 1).contiguous().data<long>().ToArray();
        var pairScores = scores.t().masked_select(mask).to(ScalarType.Float64).data<double>().ToArray();
        var table = nms ? NmsBoxes.From(boxes) : null;

        var keptRows = new List<long>();
        var keptColumns = new List<long>();
        for (int start = 0, end; start < count; start = end)
        {
            for (end = start + 1; end < count && pairColumns[end] == pairColumns[start]; end++) { }
            if (table is null)
            {
                // Without NMS every pair stays, in ascending row order.
                for (int i = start; i < end; i++) { keptRows.Add(pairRows[i]); keptColumns.Add(pairColumns[i]); }
                continue;
            }
            // NMS visits by descending score; equal scores keep ascending rows (a stable sort, as TensorFlow's).
            var order = Enumerable.Range(start, end - start).ToArray();
            Array.Sort(order, (a, b) => pairScores[a] != pairScores[b] ? pairScores[b].CompareTo(pairScores[a]) : a.CompareTo(b));
            var rowsInOrder = order.Select(i => (int)pairRows[i]).ToArray();
            foreach (var row in Nms.Greedy(table, rowsInOrder, maxDetections, nmsThreshold))
            {
                keptRows.Add(row);
                keptColumns.Add(pairColumns[start]);
            }
        }
        return (keptRows.ToArray(), keptColumns.ToArray());
    }
}
