using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RetinaNet.Train.Plots;
using RetinaNet.Train.Utils;

namespace RetinaNet.Train.Diagnostics;

/// <summary>Writes a diagnosis to a folder: <c>diagnosis.json</c>, <c>suggested_anchors.ini</c> (a <c>--config</c>
/// file for train) and the histograms <c>box_sizes.png</c> and <c>box_aspects.png</c>.</summary>
public static class DiagnosisWriter
{
    /// <summary>The suggested config's file name.</summary>
    public const string ConfigName = "suggested_anchors.ini";

    /// <summary>Writes the files and returns their paths.</summary>
    public static IReadOnlyList<string> Write(DatasetDiagnosis diagnosis, string folder)
    {
        Directory.CreateDirectory(folder);
        var config = Path.Combine(folder, ConfigName);
        var s = diagnosis.Suggestion;
        AtomicFile.WriteAllText(config, AnchorConfigFile.ToIni(s.Parameters,
            $"Suggested by retinanet diagnose: boxes with a positive anchor (IoU >= 0.5) {Percent(s.CoverageBefore)} -> {Percent(s.CoverageAfter)}, " +
            $"mean best anchor IoU {s.MeanIoUBefore.ToString("0.000", CultureInfo.InvariantCulture)} -> {s.MeanIoUAfter.ToString("0.000", CultureInfo.InvariantCulture)}.\n" +
            "Use with: retinanet train ... --config " + ConfigName + " (and the same --config for convert-model/evaluate)."));
        var json = Path.Combine(folder, "diagnosis.json");
        AtomicFile.WriteAllText(json, ToJson(diagnosis).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var sizes = Path.Combine(folder, "box_sizes.png");
        PlotImage.Save(DiagnosisPlots.Sizes(diagnosis), sizes);
        var aspects = Path.Combine(folder, "box_aspects.png");
        PlotImage.Save(DiagnosisPlots.Aspects(diagnosis), aspects);
        return [json, config, sizes, aspects];
    }

    static string Percent(double share) => (100 * share).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>The diagnosis as JSON.</summary>
    public static JsonObject ToJson(DatasetDiagnosis d)
    {
        JsonNode? N(double v) => double.IsNaN(v) ? null : JsonValue.Create(v);
        JsonArray Buckets(IEnumerable<CoverageBucket> buckets) => new(buckets.Select(b => (JsonNode)new JsonObject
        {
            ["name"] = b.Name, ["boxes"] = b.Boxes, ["without_positive_anchor"] = b.WithoutPositive,
            ["share_without_positive_anchor"] = b.ShareWithoutPositive, ["mean_best_iou"] = N(b.MeanBestIoU),
        }).ToArray());
        JsonObject Anchors(RetinaNet.Layers.Utils.AnchorConfig p) => new()
        {
            ["sizes"] = new JsonArray(p.sizes.Select(v => (JsonNode)v).ToArray()),
            ["strides"] = new JsonArray(p.strides.Select(v => (JsonNode)v).ToArray()),
            ["ratios"] = new JsonArray(p.ratios.Select(v => (JsonNode)v).ToArray()),
            ["scales"] = new JsonArray(p.scales.Select(v => (JsonNode)v).ToArray()),
        };
        return new JsonObject
        {
            ["images"] = d.Scan.ImageCount,
            ["boxes"] = d.Scan.Boxes.Count,
            ["coverage"] = d.Coverage,
            ["per_class"] = Buckets(d.PerClass),
            ["per_size"] = Buckets(d.PerSize),
            ["per_aspect"] = Buckets(d.PerAspect),
            ["findings"] = new JsonArray(d.Findings.Select(f => (JsonNode)new JsonObject { ["kind"] = f.Kind, ["message"] = f.Message }).ToArray()),
            ["anchors"] = Anchors(d.Anchors),
            ["suggested_anchors"] = Anchors(d.Suggestion.Parameters),
            ["coverage_before"] = d.Suggestion.CoverageBefore,
            ["coverage_after"] = d.Suggestion.CoverageAfter,
            ["mean_best_iou_before"] = N(d.Suggestion.MeanIoUBefore),
            ["mean_best_iou_after"] = N(d.Suggestion.MeanIoUAfter),
        };
    }
}
