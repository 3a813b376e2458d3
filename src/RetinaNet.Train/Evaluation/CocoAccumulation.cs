namespace RetinaNet.Train.Evaluation;

/// <summary>
/// pycocotools' <c>accumulate()</c>: per category, area range and maxDets, ranks all images' detections by score and
/// samples the interpolated precision at the recall thresholds.
/// </summary>
internal static class CocoAccumulation
{
    /// <summary>numpy's <c>spacing(1)</c> (2^-52), added to the precision denominator.</summary>
    private const double Spacing1 = 2.220446049250313e-16;

    /// <summary>
    /// Returns precision [T, R, K, A, M] and recall [T, K, A, M], -1 where a setting has no counted ground truth.
    /// </summary>
    /// <param name="evaluations">[category, area range, image] (images in ascending id order); null where the image
    /// has neither ground truth nor detections of the category.</param>
    /// <param name="parameters">Thresholds and maxDets (sorted ascending).</param>
    public static (double[,,,,] Precision, double[,,,] Recall) Accumulate(
        CocoImageEvaluation?[,,] evaluations, CocoParameters parameters)
    {
        int t = parameters.IouThresholds.Count, r = parameters.RecallThresholds.Count;
        int k = evaluations.GetLength(0), a = evaluations.GetLength(1), m = parameters.MaxDetections.Count;
        var precision = new double[t, r, k, a, m];
        var recall = new double[t, k, a, m];

        for (int ki = 0; ki < k; ki++)
        for (int ai = 0; ai < a; ai++)
        {
            var images = new List<CocoImageEvaluation>();
            for (int ii = 0; ii < evaluations.GetLength(2); ii++)
                if (evaluations[ki, ai, ii] is { } e) images.Add(e);
            int counted = images.Sum(e => e.CountedGroundTruths);
            if (counted == 0)
            {
                // No object to find: -1 marks the setting as absent from the averages.
                for (int ti = 0; ti < t; ti++)
                for (int mi = 0; mi < m; mi++)
                {
                    recall[ti, ki, ai, mi] = -1;
                    for (int ri = 0; ri < r; ri++) precision[ti, ri, ki, ai, mi] = -1;
                }
                continue;
            }

            for (int mi = 0; mi < m; mi++)
            {
                int maxDet = parameters.MaxDetections[mi];
                var entries = new List<(CocoImageEvaluation Image, int Detection)>();
                foreach (var e in images)
                    for (int di = 0; di < Math.Min(maxDet, e.Scores.Length); di++) entries.Add((e, di));
                // mergesort on -score in pycocotools: stable, ties keep image order.
                var ranked = entries.OrderByDescending(x => x.Image.Scores[x.Detection]).ToArray();
                int nd = ranked.Length;

                var rc = new double[nd];
                var pr = new double[nd];
                for (int ti = 0; ti < t; ti++)
                {
                    double tp = 0, fp = 0;
                    for (int i = 0; i < nd; i++)
                    {
                        var (image, di) = ranked[i];
                        if (!image.DetectionIgnored[ti, di])
                        {
                            if (image.Matched[ti, di]) tp++; else fp++;
                        }
                        rc[i] = tp / counted;
                        pr[i] = tp / (fp + tp + Spacing1);
                    }
                    recall[ti, ki, ai, mi] = nd > 0 ? rc[nd - 1] : 0;

                    // Precision envelope, then sample it at the first rank reaching each recall threshold;
                    // thresholds beyond the final recall get 0.
                    for (int i = nd - 1; i > 0; i--)
                        if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
                    for (int ri = 0; ri < r; ri++)
                    {
                        int index = LowerBound(rc, parameters.RecallThresholds[ri]);
                        precision[ti, ri, ki, ai, mi] = index < nd ? pr[index] : 0;
                    }
                }
            }
        }
        return (precision, recall);
    }

    /// <summary>numpy's <c>searchsorted(values, x, side='left')</c>: the first index with <c>values[i] &gt;= x</c>.</summary>
    private static int LowerBound(double[] values, double x)
    {
        int lo = 0, hi = values.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (values[mid] < x) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
