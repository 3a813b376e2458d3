namespace RetinaNet.Train.Evaluation;

/// <summary>
/// pycocotools' <c>evaluateImg</c> for one image, category and area range: greedy matching of detections (best score
/// first) to ground truth at every IoU threshold.
/// </summary>
internal sealed class CocoImageEvaluation
{
    private CocoImageEvaluation(double[] scores, bool[,] matched, bool[,] detectionIgnored, bool[] groundTruthIgnored)
    {
        Scores = scores;
        Matched = matched;
        DetectionIgnored = detectionIgnored;
        GroundTruthIgnored = groundTruthIgnored;
    }

    /// <summary>Detection scores, descending.</summary>
    public double[] Scores { get; }

    /// <summary>[threshold, detection]: matched to some ground truth (pycocotools' <c>dtMatches != 0</c>).</summary>
    public bool[,] Matched { get; }

    /// <summary>[threshold, detection]: left out of the counts (matched to an ignored ground truth, or unmatched
    /// and outside the area range).</summary>
    public bool[,] DetectionIgnored { get; }

    /// <summary>Per ground truth: crowd or outside the area range.</summary>
    public bool[] GroundTruthIgnored { get; }

    /// <summary>Number of ground truths that count (not ignored).</summary>
    public int CountedGroundTruths => GroundTruthIgnored.Count(ignored => !ignored);

    /// <summary>
    /// Matches <paramref name="detections"/> (sorted by descending score, already capped at the largest maxDets)
    /// against <paramref name="groundTruths"/> (in input order).
    /// </summary>
    /// <param name="groundTruths">The image's ground truth of the category.</param>
    /// <param name="detections">The image's detections of the category.</param>
    /// <param name="ious">[detection, ground truth] IoU in those orders.</param>
    /// <param name="range">The area range evaluated.</param>
    /// <param name="iouThresholds">The IoU thresholds.</param>
    public static CocoImageEvaluation Evaluate(
        IReadOnlyList<CocoAnnotation> groundTruths,
        IReadOnlyList<CocoDetection> detections,
        double[,] ious,
        CocoAreaRange range,
        IReadOnlyList<double> iouThresholds)
    {
        int g = groundTruths.Count, d = detections.Count, t = iouThresholds.Count;

        // Ground truths that count come first (stable), so a match to a counted object is preferred.
        bool IgnoredAt(int i) => groundTruths[i].IsCrowd || !range.Contains(groundTruths[i].EffectiveArea);
        int[] gtOrder = Enumerable.Range(0, g).OrderBy(i => IgnoredAt(i) ? 1 : 0).ToArray();
        bool[] gtIgnored = gtOrder.Select(IgnoredAt).ToArray();
        bool[] crowd = gtOrder.Select(i => groundTruths[i].IsCrowd).ToArray();

        var gtMatch = new int[t, g];
        for (int ti = 0; ti < t; ti++)
            for (int j = 0; j < g; j++) gtMatch[ti, j] = -1;
        var matched = new bool[t, d];
        var dtIgnored = new bool[t, d];

        if (g > 0 && d > 0)
        {
            for (int ti = 0; ti < t; ti++)
            {
                for (int di = 0; di < d; di++)
                {
                    // pycocotools caps the threshold just below 1 so that a perfect overlap matches at 1.0 too.
                    double best = Math.Min(iouThresholds[ti], 1 - 1e-10);
                    int m = -1;
                    for (int j = 0; j < g; j++)
                    {
                        // A crowd region can absorb any number of detections; an object only one.
                        if (gtMatch[ti, j] >= 0 && !crowd[j]) continue;
                        // Already matched to a counted object: ignored ones (sorted last) cannot take it away.
                        if (m > -1 && !gtIgnored[m] && gtIgnored[j]) break;
                        double iou = ious[di, gtOrder[j]];
                        if (iou < best) continue;
                        best = iou;
                        m = j;
                    }
                    if (m == -1) continue;
                    dtIgnored[ti, di] = gtIgnored[m];
                    matched[ti, di] = true;
                    gtMatch[ti, m] = di;
                }
            }
        }

        // Unmatched detections outside the area range are not false positives of that range.
        for (int di = 0; di < d; di++)
        {
            if (range.Contains(detections[di].Bbox.Area)) continue;
            for (int ti = 0; ti < t; ti++)
                if (!matched[ti, di]) dtIgnored[ti, di] = true;
        }

        return new CocoImageEvaluation(detections.Select(x => x.Score).ToArray(), matched, dtIgnored, gtIgnored);
    }
}
