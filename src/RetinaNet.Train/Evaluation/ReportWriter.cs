using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RetinaNet.Train.Plots;
using RetinaNet.Train.Utils;
using SkiaSharp;
using static TorchSharp.torch;

namespace RetinaNet.Train.Evaluation;

/// <summary>
/// Writes a detailed evaluation report to a folder: <c>report.json</c>, <c>per_class.csv</c>, the charts as PNG
/// (<see cref="Figures"/>) and <c>worst/</c>, the images with the most misses and false positives drawn with ground
/// truth (green), found boxes (blue) and false positives (red).
/// </summary>
public static class ReportWriter
{
    /// <summary>Ground truth colour in drawings.</summary>
    public static readonly SKColor TruthColor = new(0, 200, 0);
    /// <summary>Colour of detections that match a ground-truth box.</summary>
    public static readonly SKColor FoundColor = new(30, 110, 255);
    /// <summary>Colour of false positives.</summary>
    public static readonly SKColor FalsePositiveColor = new(235, 30, 30);

    /// <summary>The report's charts by file name.</summary>
    public static IReadOnlyList<(string File, ScottPlot.Plot Plot)> Figures(EvaluationDetails details) =>
    [
        ("pr_curve.png", ReportPlots.PrecisionRecall(details)),
        ("f1_curve.png", ReportPlots.AgainstThreshold(details, ReportPlots.Metric.F1)),
        ("precision_curve.png", ReportPlots.AgainstThreshold(details, ReportPlots.Metric.Precision)),
        ("recall_curve.png", ReportPlots.AgainstThreshold(details, ReportPlots.Metric.Recall)),
        ("confusion_matrix.png", ReportPlots.Confusion(details, normalized: false)),
        ("confusion_matrix_normalized.png", ReportPlots.Confusion(details, normalized: true)),
        ("ap_per_class.png", ReportPlots.ClassAveragePrecision(details)),
        ("error_breakdown.png", ReportPlots.ErrorBreakdown(details)),
    ];

    /// <summary>Writes everything to <paramref name="folder"/> (created if needed) and returns the files written.</summary>
    /// <param name="details">The report's figures.</param>
    /// <param name="folder">Output folder.</param>
    /// <param name="loadImage">The (H, W, 3) BGR image of an index, to draw the worst images; null to skip them.</param>
    public static IReadOnlyList<string> Write(EvaluationDetails details, string folder, Func<int, Tensor>? loadImage = null)
    {
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        void Text(string name, string text)
        {
            var path = Path.Combine(folder, name);
            AtomicFile.WriteAllText(path, text);
            written.Add(path);
        }
        Text("report.json", ToJson(details).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Text("per_class.csv", ToCsv(details));
        foreach (var (file, plot) in Figures(details))
        {
            var path = Path.Combine(folder, file);
            PlotImage.Save(plot, path);
            written.Add(path);
        }
        if (loadImage is not null)
        {
            var worst = Path.Combine(folder, "worst");
            Directory.CreateDirectory(worst);
            foreach (var (image, missed, fp) in details.Worst)
            {
                var path = Path.Combine(worst, $"{image:00000}_missed{missed}_fp{fp}.png");
                using var scope = NewDisposeScope();
                using var bitmap = Draw(details, image, loadImage(image));
                Visualization.save_png(bitmap, path);
                written.Add(path);
            }
        }
        return written;
    }

    /// <summary>One image with ground truth (green), matched detections (blue) and false positives (red) at the
    /// report's score threshold.</summary>
    public static SKBitmap Draw(EvaluationDetails details, int imageIndex, Tensor bgr)
    {
        var bitmap = Visualization.to_bitmap(bgr);
        var image = details.Images[imageIndex];
        using var canvas = new SKCanvas(bitmap);
        foreach (var (label, boxes) in image.Annotations)
            Visualization.draw_annotations(canvas, boxes.Select(b => (b.X1, b.Y1, b.X2, b.Y2)).ToList(), boxes.Select(_ => label).ToList(),
                details.LabelToName, TruthColor);
        foreach (var (label, detections) in image.Detections)
        {
            var kept = detections.Where(d => d.Score >= details.ScoreThreshold).ToList();
            ConfusionMatrix.MatchPairs(image.AnnotationsOf(label), kept.Select(d => d.Box).ToList(), details.IouThreshold, out _, out var extra);
            var falsePositives = extra.ToHashSet();
            for (int k = 0; k < kept.Count; k++)
            {
                var d = kept[k];
                Visualization.draw_box(canvas, d.X1, d.Y1, d.X2, d.Y2, falsePositives.Contains(k) ? FalsePositiveColor : FoundColor);
                Visualization.draw_caption(canvas, d.X1, d.Y2 + 14, string.Create(CultureInfo.InvariantCulture, $"{details.LabelToName(label)}: {d.Score:0.00}"));
            }
        }
        return bitmap;
    }

    /// <summary>The report's figures as JSON (NaN as null).</summary>
    public static JsonObject ToJson(EvaluationDetails details)
    {
        JsonNode? N(double v) => double.IsNaN(v) || double.IsInfinity(v) ? null : JsonValue.Create(v);
        var names = details.Confusion.Labels.Select(details.LabelToName).Append("background").ToArray();
        int n = names.Length;
        var shares = details.Confusion.Normalized();
        return new JsonObject
        {
            ["iou_threshold"] = details.IouThreshold,
            ["score_threshold"] = details.ScoreThreshold,
            ["images"] = details.Images.Count,
            ["mAP"] = N(details.MeanAveragePrecision),
            ["classes"] = new JsonArray(details.Classes.Select(c => (JsonNode)new JsonObject
            {
                ["label"] = c.Label, ["name"] = c.ClassName, ["annotations"] = c.Annotations, ["detections"] = c.Detections,
                ["AP50"] = N(c.AP50), ["AP50_95"] = N(c.AP50To95), ["precision"] = N(c.Precision), ["recall"] = N(c.Recall),
                ["F1"] = N(c.F1), ["best_F1_threshold"] = N(c.BestF1Threshold), ["best_F1"] = N(c.BestF1),
            }).ToArray()),
            ["coco"] = new JsonObject(details.Coco.Select(p => KeyValuePair.Create(p.Key, N(p.Value)))),
            ["confusion_matrix"] = new JsonObject
            {
                ["rows_true_columns_predicted"] = new JsonArray(names.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray()),
                ["counts"] = new JsonArray(Enumerable.Range(0, n).Select(r => (JsonNode)new JsonArray(
                    Enumerable.Range(0, n).Select(c => (JsonNode)JsonValue.Create(details.Confusion.Counts[r, c])).ToArray())).ToArray()),
                ["normalized"] = new JsonArray(Enumerable.Range(0, n).Select(r => (JsonNode)new JsonArray(
                    Enumerable.Range(0, n).Select(c => (JsonNode)JsonValue.Create(shares[r, c])).ToArray())).ToArray()),
            },
            ["errors"] = new JsonObject(Enum.GetValues<ErrorType>().Select(t => KeyValuePair.Create(t.ToString(), (JsonNode?)new JsonObject
            {
                ["count"] = details.Errors.Counts[t], ["mAP_gain"] = N(details.Errors.MapGain[t]),
            }))),
            ["worst_images"] = new JsonArray(details.Worst.Select(w => (JsonNode)new JsonObject
            {
                ["image"] = w.Image, ["missed"] = w.Missed, ["false_positives"] = w.FalsePositives,
            }).ToArray()),
            ["explanations"] = new JsonArray(details.Explanations.Select(e => (JsonNode)JsonValue.Create(e)!).ToArray()),
        };
    }

    /// <summary>One row per class: name, annotations, detections, AP50, AP50_95, precision, recall, F1, best-F1 threshold.</summary>
    public static string ToCsv(EvaluationDetails details)
    {
        static string F(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);
        static string Quote(string s) => s.IndexOfAny(new[] { ',', '"', '\n' }) >= 0 ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
        var csv = new StringBuilder("class,annotations,detections,AP50,AP50_95,precision,recall,F1,best_F1_threshold,best_F1\n");
        foreach (var c in details.Classes)
            csv.Append(string.Join(',', Quote(c.ClassName), c.Annotations.ToString(CultureInfo.InvariantCulture),
                c.Detections.ToString(CultureInfo.InvariantCulture), F(c.AP50), F(c.AP50To95), F(c.Precision), F(c.Recall), F(c.F1),
                F(c.BestF1Threshold), F(c.BestF1))).Append('\n');
        return csv.ToString();
    }
}
