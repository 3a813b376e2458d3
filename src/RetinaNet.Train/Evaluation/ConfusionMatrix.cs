namespace RetinaNet.Train.Evaluation;

/// <summary>
/// Detections against ground truth over classes plus background, at one IoU and one score threshold. Rows are
/// the true class, columns the predicted class; index <see cref="Background"/> (= number of classes) is background:
/// the background row counts false positives (a detection that overlaps no free ground-truth box), the background
/// column missed boxes. Pairs are matched class-agnostically, highest IoU first, each box and detection once.
/// </summary>
public sealed class ConfusionMatrix
{
    ConfusionMatrix(long[,] counts, IReadOnlyList<int> labels)
    {
        Counts = counts;
        Labels = labels;
    }

    /// <summary>Counts[true, predicted], (C+1)×(C+1).</summary>
    public long[,] Counts { get; }

    /// <summary>The class label of each row/column index below <see cref="Background"/>.</summary>
    public IReadOnlyList<int> Labels { get; }

    /// <summary>The index of background.</summary>
    public int Background => Labels.Count;

    /// <summary>Builds the matrix from per-image detections (those scoring ≥ <paramref name="scoreThreshold"/>) and annotations.</summary>
    public static ConfusionMatrix Compute(IReadOnlyList<EvaluationImage> images, IReadOnlyList<int> labels,
        double iouThreshold = 0.5, double scoreThreshold = CountedDetections.DefaultScoreThreshold)
    {
        var index = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i);
        int background = labels.Count;
        var counts = new long[background + 1, background + 1];
        foreach (var image in images)
        {
            var (truth, detected) = Flatten(image, index, scoreThreshold);
            var pairs = MatchPairs(truth.Select(x => x.Box).ToList(), detected.Select(x => x.Box).ToList(), iouThreshold,
                out var missed, out var extra);
            foreach (var (t, d) in pairs)
                counts[truth[t].Index, detected[d].Index]++;
            foreach (var t in missed) counts[truth[t].Index, background]++;
            foreach (var d in extra) counts[background, detected[d].Index]++;
        }
        return new ConfusionMatrix(counts, labels.ToList());
    }

    /// <summary>
    /// Class-agnostic one-to-one matching: every (truth, detection) pair with IoU ≥ the threshold, taken highest IoU
    /// first (ties: lower indices first) while both are free.
    /// </summary>
    public static List<(int Truth, int Detection)> MatchPairs(IReadOnlyList<CornerBox> truth, IReadOnlyList<CornerBox> detections,
        double iouThreshold, out List<int> unmatchedTruth, out List<int> unmatchedDetections)
    {
        var candidates = new List<(double IoU, int T, int D)>();
        for (int t = 0; t < truth.Count; t++)
            for (int d = 0; d < detections.Count; d++)
            {
                var iou = detections[d].IoU(truth[t]);
                if (iou >= iouThreshold) candidates.Add((iou, t, d));
            }
        var usedT = new bool[truth.Count];
        var usedD = new bool[detections.Count];
        var pairs = new List<(int, int)>();
        foreach (var (_, t, d) in candidates.OrderByDescending(c => c.IoU).ThenBy(c => c.T).ThenBy(c => c.D))
        {
            if (usedT[t] || usedD[d]) continue;
            usedT[t] = usedD[d] = true;
            pairs.Add((t, d));
        }
        unmatchedTruth = Enumerable.Range(0, truth.Count).Where(t => !usedT[t]).ToList();
        unmatchedDetections = Enumerable.Range(0, detections.Count).Where(d => !usedD[d]).ToList();
        return pairs;
    }

    /// <summary>An image's annotations and its detections scoring ≥ the threshold, with their matrix indices.</summary>
    internal static (List<(CornerBox Box, int Index)> Truth, List<(CornerBox Box, int Index, double Score)> Detected) Flatten(
        EvaluationImage image, IReadOnlyDictionary<int, int> index, double scoreThreshold)
    {
        var truth = image.Annotations.Where(p => index.ContainsKey(p.Key))
            .SelectMany(p => p.Value.Select(b => (b, index[p.Key]))).ToList();
        var detected = image.Detections.Where(p => index.ContainsKey(p.Key))
            .SelectMany(p => p.Value.Where(d => d.Score >= scoreThreshold).Select(d => (d.Box, index[p.Key], d.Score)))
            .OrderByDescending(d => d.Score).ToList();
        return (truth, detected);
    }

    /// <summary>Each row divided by its sum (rows without entries stay 0): the share of each true class predicted as each column.</summary>
    public double[,] Normalized()
    {
        int n = Counts.GetLength(0);
        var result = new double[n, n];
        for (int r = 0; r < n; r++)
        {
            long sum = 0;
            for (int c = 0; c < n; c++) sum += Counts[r, c];
            for (int c = 0; c < n; c++) result[r, c] = sum == 0 ? 0 : (double)Counts[r, c] / sum;
        }
        return result;
    }
}
