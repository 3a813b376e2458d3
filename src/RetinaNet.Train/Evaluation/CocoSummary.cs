namespace RetinaNet.Train.Evaluation;

/// <summary>
/// pycocotools' <c>summarize()</c> for boxes: the 12 standard numbers, their printed lines and the keys keras-retinanet's
/// <c>CocoEval</c> callback logs them under.
/// </summary>
internal static class CocoSummary
{
    /// <summary>One of the 12 numbers: AP or AR, at one IoU threshold (null: all), area label and maxDets index.</summary>
    private readonly record struct Setting(bool AveragePrecision, double? IouThreshold, string Area, int MaxDetectionsIndex);

    private static readonly Setting[] Settings =
    [
        new(true, null, "all", 2),
        new(true, 0.5, "all", 2),
        new(true, 0.75, "all", 2),
        new(true, null, "small", 2),
        new(true, null, "medium", 2),
        new(true, null, "large", 2),
        new(false, null, "all", 0),
        new(false, null, "all", 1),
        new(false, null, "all", 2),
        new(false, null, "small", 2),
        new(false, null, "medium", 2),
        new(false, null, "large", 2),
    ];

    /// <summary>The 12 stats, their summary lines and their tags.</summary>
    public static (double[] Stats, string[] Lines, string[] Tags) Summarize(
        CocoParameters parameters, double[,,,,] precision, double[,,,] recall)
    {
        var stats = new double[Settings.Length];
        var lines = new string[Settings.Length];
        var tags = new string[Settings.Length];
        for (int i = 0; i < Settings.Length; i++)
        {
            var s = Settings[i];
            int maxDets = parameters.MaxDetections[s.MaxDetectionsIndex];
            stats[i] = Mean(parameters, precision, recall, s, maxDets);

            string iou = s.IouThreshold is { } threshold
                ? PythonFormat.Fixed(threshold, 2)
                : PythonFormat.Fixed(parameters.IouThresholds[0], 2) + ":" + PythonFormat.Fixed(parameters.IouThresholds[^1], 2);
            // ' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}'
            string title = s.AveragePrecision ? "Average Precision" : "Average Recall";
            string kind = s.AveragePrecision ? "AP" : "AR";
            string setting = $"@[ IoU={iou,-9} | area={s.Area,6} | maxDets={maxDets,3} ]";
            lines[i] = $" {title,-18} ({kind}) {setting} = {PythonFormat.Fixed(stats[i], 3)}";
            tags[i] = $"{kind} {setting}";
        }
        return (stats, lines, tags);
    }

    /// <summary>Mean of the entries &gt; -1 of the selected slice; -1 if there are none.</summary>
    private static double Mean(CocoParameters p, double[,,,,] precision, double[,,,] recall, Setting s, int maxDets)
    {
        // Selections by value, as pycocotools' np.where(iouThr == p.iouThrs) and label/maxDets comparisons.
        var thresholds = Indices(p.IouThresholds.Count, t => s.IouThreshold is not { } v || p.IouThresholds[t] == v);
        var areas = Indices(p.AreaRanges.Count, a => p.AreaRanges[a].Label == s.Area);
        var maxDetections = Indices(p.MaxDetections.Count, m => p.MaxDetections[m] == maxDets);

        double sum = 0;
        long count = 0;
        void Add(double value)
        {
            if (value > -1) { sum += value; count++; }
        }
        foreach (int t in thresholds)
        foreach (int a in areas)
        foreach (int m in maxDetections)
        for (int k = 0; k < recall.GetLength(1); k++)
        {
            if (s.AveragePrecision)
                for (int r = 0; r < precision.GetLength(1); r++) Add(precision[t, r, k, a, m]);
            else
                Add(recall[t, k, a, m]);
        }
        return count == 0 ? -1 : sum / count;
    }

    private static List<int> Indices(int count, Func<int, bool> selected) =>
        Enumerable.Range(0, count).Where(selected).ToList();
}
