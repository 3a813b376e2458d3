namespace RetinaNet.Train.Evaluation;

/// <summary>
/// The precision–recall curve of ranked detections: after the k best detections, precision = TP / k and
/// recall = TP / annotations. Its area (<see cref="AveragePrecision"/>) is keras-retinanet's all-point AP.
/// </summary>
public sealed class PrecisionRecallCurve
{
    /// <summary>The curve of <paramref name="matches"/> (any order) against <paramref name="numAnnotations"/> ground-truth boxes.</summary>
    public PrecisionRecallCurve(IEnumerable<ScoredMatch> matches, int numAnnotations)
    {
        var ranked = matches.OrderByDescending(m => m.Score).ToList();
        NumAnnotations = numAnnotations;
        Scores = ranked.Select(m => m.Score).ToArray();
        var precision = new double[ranked.Count];
        var recall = new double[ranked.Count];
        double tp = 0;
        for (int k = 0; k < ranked.Count; k++)
        {
            if (ranked[k].IsTruePositive) tp++;
            precision[k] = tp / (k + 1);
            recall[k] = numAnnotations == 0 ? 0 : tp / numAnnotations;
        }
        Precision = precision;
        Recall = recall;
        AveragePrecision = numAnnotations == 0 ? 0 : VocEvaluation.ComputeAveragePrecision(recall, precision);
    }

    /// <summary>Ground-truth boxes.</summary>
    public int NumAnnotations { get; }

    /// <summary>Detection scores, descending.</summary>
    public IReadOnlyList<double> Scores { get; }

    /// <summary>Precision after each detection in rank order.</summary>
    public IReadOnlyList<double> Precision { get; }

    /// <summary>Recall after each detection in rank order.</summary>
    public IReadOnlyList<double> Recall { get; }

    /// <summary>All-point interpolated AP (0 without annotations).</summary>
    public double AveragePrecision { get; }

    /// <summary>Detections counted at <paramref name="threshold"/>: those scoring ≥ it.</summary>
    public int DetectionsAt(double threshold)
    {
        int n = 0;
        while (n < Scores.Count && Scores[n] >= threshold) n++;
        return n;
    }

    /// <summary>Precision, recall and F1 of the detections scoring ≥ <paramref name="threshold"/>
    /// (precision 0 when there are none).</summary>
    public (double Precision, double Recall, double F1) At(double threshold)
    {
        int n = DetectionsAt(threshold);
        if (n == 0) return (0, 0, 0);
        return WithF1(Precision[n - 1], Recall[n - 1]);
    }

    /// <summary>The score threshold with the highest F1 (the highest such score on ties) and that F1; (NaN, 0)
    /// when no detection is a true positive.</summary>
    public (double Threshold, double F1) BestF1()
    {
        (double threshold, double f1) best = (double.NaN, 0);
        for (int k = 0; k < Scores.Count; k++)
        {
            // Only the last detection of a run of equal scores is a reachable cut.
            if (k + 1 < Scores.Count && Scores[k + 1] == Scores[k]) continue;
            var (_, _, f1) = WithF1(Precision[k], Recall[k]);
            if (f1 > best.f1) best = (Scores[k], f1);
        }
        return best;
    }

    static (double, double, double) WithF1(double p, double r) => (p, r, p + r == 0 ? 0 : 2 * p * r / (p + r));
}
