using System.Globalization;
using System.Text;

namespace RetinaNet.Train.Evaluation;

/// <summary>
/// Per-class AP and the mean AP of an evaluation, as data and as plain text: a table, or the exact lines
/// keras-retinanet's <c>retinanet-evaluate</c> prints (reference §3.2).
/// </summary>
public sealed class EvaluationReport
{
    /// <summary>A report from its rows.</summary>
    /// <param name="rows">One row per class, in display order.</param>
    /// <param name="imageCount">Number of images evaluated.</param>
    /// <param name="inferenceTime">Mean network seconds per image, if measured.</param>
    public EvaluationReport(IEnumerable<EvaluationReportRow> rows, int imageCount, double? inferenceTime = null)
    {
        Rows = rows.ToList();
        ImageCount = imageCount;
        InferenceTime = inferenceTime;
    }

    /// <summary>One row per class.</summary>
    public IReadOnlyList<EvaluationReportRow> Rows { get; }

    /// <summary>Number of images evaluated.</summary>
    public int ImageCount { get; }

    /// <summary>Mean network seconds per image, if measured.</summary>
    public double? InferenceTime { get; }

    /// <summary>Curves, confusion matrix, error breakdown and the rest (<see cref="FromDetections"/>); null for a
    /// report made from AP values only.</summary>
    public EvaluationDetails? Details { get; init; }

    /// <summary>
    /// The detailed report of per-image detections and annotations (<see cref="ModelEvaluation.get_detections"/>):
    /// rows as <see cref="FromVoc"/> gives them, plus <see cref="Details"/>.
    /// </summary>
    public static EvaluationReport FromDetections(IReadOnlyList<EvaluationImage> images, IEnumerable<int> labels, Func<int, string> labelToName,
        double iouThreshold = VocEvaluation.DefaultIouThreshold, double scoreThreshold = CountedDetections.DefaultScoreThreshold)
    {
        var labelList = labels.ToList();
        var details = EvaluationDetails.Compute(images, labelList, labelToName, iouThreshold, scoreThreshold);
        var voc = FromVoc(VocEvaluation.Evaluate(images, labelList, iouThreshold), labelToName);
        return new EvaluationReport(voc.Rows, voc.ImageCount, voc.InferenceTime) { Details = details };
    }

    /// <summary>The report's charts (PR curves, F1/precision/recall against threshold, confusion matrices, AP per
    /// class, error breakdown) as bitmaps by file name, e.g. to show them in a notebook.</summary>
    public IReadOnlyList<(string File, SkiaSharp.SKBitmap Image)> Figures() =>
        ReportWriter.Figures(Details ?? throw new InvalidOperationException("This report has no details: make it with FromDetections."))
            .Select(f => (f.File, Plots.PlotImage.ToBitmap(f.Plot))).ToList();

    /// <summary>Writes report.json, per_class.csv, the charts and (given <paramref name="loadImage"/>) worst/ to
    /// <paramref name="folder"/>; see <see cref="ReportWriter"/>.</summary>
    public IReadOnlyList<string> WriteTo(string folder, Func<int, TorchSharp.torch.Tensor>? loadImage = null) =>
        ReportWriter.Write(Details ?? throw new InvalidOperationException("This report has no details: make it with FromDetections."), folder, loadImage);

    /// <summary>Ground-truth instances over all classes.</summary>
    public int TotalInstances => Rows.Sum(r => r.Instances);

    /// <summary>Whether any class has instances (keras-retinanet otherwise prints "No test instances found.").</summary>
    public bool HasInstances => TotalInstances > 0;

    /// <summary>Mean AP over the classes with instances; NaN if none.</summary>
    public double MeanAveragePrecision => ClassAverages.Unweighted(Rows.Select(r => (r.AveragePrecision, r.Instances)));

    /// <summary>AP averaged with each class weighted by its instances; NaN if none.</summary>
    public double WeightedMeanAveragePrecision => ClassAverages.Weighted(Rows.Select(r => (r.AveragePrecision, r.Instances)));

    /// <summary>The report of a Pascal VOC-style evaluation, naming labels with <paramref name="labelToName"/>.</summary>
    public static EvaluationReport FromVoc(VocEvaluationResult result, Func<int, string> labelToName) =>
        new(result.Classes.Select(c => new EvaluationReportRow(labelToName(c.Label), c.NumAnnotations, c.AveragePrecision)),
            result.ImageCount, result.InferenceTime);

    /// <summary>
    /// The per-category view of a COCO evaluation (AP at IoU 0.50:0.95, area all, maxDets 100); categories without
    /// counted ground truth show 0 instances and AP 0. The unweighted mean then equals COCO's stat 0.
    /// </summary>
    public static EvaluationReport FromCoco(CocoEvaluationResult result, Func<int, string> categoryName, double? inferenceTime = null) =>
        new(result.Categories.Select(c => new EvaluationReportRow(
                categoryName(c.CategoryId), c.Instances, c.AveragePrecision < 0 ? 0 : c.AveragePrecision)),
            result.ImageIds.Count, inferenceTime);

    /// <summary>
    /// A table of class, instances and AP (4 decimals; "-" for classes without instances), then the mAP lines and the
    /// inference time.
    /// </summary>
    public string ToText()
    {
        var cells = Rows.Select(r => (
            Name: r.ClassName,
            Instances: r.Instances.ToString(CultureInfo.InvariantCulture),
            AP: r.Instances > 0 ? PythonFormat.Fixed(r.AveragePrecision, 4) : "-")).ToList();
        int nameWidth = cells.Select(c => c.Name.Length).Append("Class".Length).Max();
        int instancesWidth = cells.Select(c => c.Instances.Length).Append("Instances".Length).Max();
        int apWidth = cells.Select(c => c.AP.Length).Append("AP".Length).Max();

        var text = new StringBuilder();
        text.AppendLine($"{"Class".PadRight(nameWidth)}  {"Instances".PadLeft(instancesWidth)}  {"AP".PadLeft(apWidth)}");
        foreach (var c in cells)
            text.AppendLine($"{c.Name.PadRight(nameWidth)}  {c.Instances.PadLeft(instancesWidth)}  {c.AP.PadLeft(apWidth)}");
        if (HasInstances)
        {
            text.AppendLine($"mAP: {PythonFormat.Fixed(MeanAveragePrecision, 4)}");
            text.AppendLine($"mAP (weighted by instances): {PythonFormat.Fixed(WeightedMeanAveragePrecision, 4)}");
        }
        else
        {
            text.AppendLine("No test instances found.");
        }
        if (InferenceTime is { } seconds)
            text.AppendLine($"Inference time for {ImageCount} images: {PythonFormat.Fixed(seconds, 4)} s per image");
        return text.ToString();
    }

    /// <summary>
    /// The lines keras-retinanet's <c>evaluate.py</c> prints for a non-COCO dataset: one per class, then inference
    /// time, weighted mAP and mAP; or "No test instances found." after the class lines when there are no instances.
    /// The inference-time line is left out when no time was measured.
    /// </summary>
    public IReadOnlyList<string> ToKerasRetinaNetLines()
    {
        var lines = Rows
            .Select(r => $"{r.Instances} instances of class {r.ClassName} with average precision: {PythonFormat.Fixed(r.AveragePrecision, 4)}")
            .ToList();
        if (!HasInstances)
        {
            lines.Add("No test instances found.");
            return lines;
        }
        if (InferenceTime is { } seconds)
            lines.Add($"Inference time for {ImageCount} images: {PythonFormat.Fixed(seconds, 4)}");
        lines.Add($"mAP using the weighted average of precisions among classes: {PythonFormat.Fixed(WeightedMeanAveragePrecision, 4)}");
        lines.Add($"mAP: {PythonFormat.Fixed(MeanAveragePrecision, 4)}");
        return lines;
    }
}
