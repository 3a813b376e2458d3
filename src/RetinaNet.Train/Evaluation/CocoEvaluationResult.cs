namespace RetinaNet.Train.Evaluation;

/// <summary>
/// The result of <see cref="CocoEvaluation.Evaluate"/>: pycocotools' <c>eval['precision']</c>, <c>eval['recall']</c>,
/// the 12 <c>stats</c> of <c>summarize()</c> and its printed lines.
/// </summary>
public sealed class CocoEvaluationResult
{
    internal CocoEvaluationResult(
        CocoParameters parameters,
        IReadOnlyList<long> imageIds,
        IReadOnlyList<int> categoryIds,
        double[,,,,] precision,
        double[,,,] recall,
        IReadOnlyList<int> instances)
    {
        Parameters = parameters;
        ImageIds = imageIds;
        CategoryIds = categoryIds;
        Precision = precision;
        Recall = recall;
        (var stats, var lines, var tags) = CocoSummary.Summarize(parameters, precision, recall);
        Stats = stats;
        SummaryLines = lines;
        StatTags = tags;

        int all = Math.Max(0, parameters.AreaRanges.ToList().FindIndex(a => a.Label == "all"));
        int last = parameters.MaxDetections.Count - 1;
        Categories = categoryIds.Select((id, k) =>
        {
            double sum = 0;
            int count = 0;
            for (int t = 0; t < precision.GetLength(0); t++)
            for (int r = 0; r < precision.GetLength(1); r++)
                if (precision[t, r, k, all, last] > -1) { sum += precision[t, r, k, all, last]; count++; }
            return new CocoCategoryResult(id, instances[k], count == 0 ? -1 : sum / count);
        }).ToList();
    }

    /// <summary>The parameters used (maxDets sorted ascending, as pycocotools sorts them).</summary>
    public CocoParameters Parameters { get; }

    /// <summary>The evaluated image ids, ascending.</summary>
    public IReadOnlyList<long> ImageIds { get; }

    /// <summary>The evaluated category ids, ascending (index K of the arrays).</summary>
    public IReadOnlyList<int> CategoryIds { get; }

    /// <summary>Interpolated precision [IoU threshold, recall threshold, category, area range, maxDets];
    /// -1 where the category has no counted ground truth in that area range.</summary>
    public double[,,,,] Precision { get; }

    /// <summary>Final recall [IoU threshold, category, area range, maxDets]; -1 as in <see cref="Precision"/>.</summary>
    public double[,,,] Recall { get; }

    /// <summary>
    /// The 12 numbers of <c>summarize()</c>: AP, AP50, AP75, AP small/medium/large, AR1, AR10, AR100,
    /// AR small/medium/large; -1 where no setting has ground truth.
    /// </summary>
    public IReadOnlyList<double> Stats { get; }

    /// <summary>The 12 lines <c>summarize()</c> prints, e.g.
    /// <c> Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.350</c>.</summary>
    public IReadOnlyList<string> SummaryLines { get; }

    /// <summary>keras-retinanet's <c>CocoEval</c> log keys for <see cref="Stats"/>, e.g.
    /// <c>AP @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]</c>.</summary>
    public IReadOnlyList<string> StatTags { get; }

    /// <summary>Per-category AP and instance counts, in <see cref="CategoryIds"/> order.</summary>
    public IReadOnlyList<CocoCategoryResult> Categories { get; }

    /// <summary>The summary lines joined by newlines.</summary>
    public string Summary => string.Join('\n', SummaryLines);
}
