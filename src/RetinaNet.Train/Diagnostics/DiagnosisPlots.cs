using System.Globalization;
using RetinaNet.Layers.Utils;
using RetinaNet.Train.Plots;
using ScottPlot;

namespace RetinaNet.Train.Diagnostics;

/// <summary>Histograms of box sizes and aspects at the network input size with the anchors' shapes overlaid
/// (current anchors dashed red, suggested ones green).</summary>
public static class DiagnosisPlots
{
    static readonly Color Current = Colors.Red, Suggested = Colors.Green;

    /// <summary>log2 of the box side (square root of the area) with each anchor size × scale marked.</summary>
    public static Plot Sizes(DatasetDiagnosis diagnosis)
    {
        var values = diagnosis.Scan.Boxes.Select(b => Math.Log2(Math.Max(Math.Sqrt(b.Input.Area), 0.5))).ToList();
        var anchorSides = (AnchorConfig p) => p.sizes.SelectMany(size => p.scales.Select(s => Math.Log2(size * (double)s)));
        var plot = Histogram(values, "Box sizes at the network input with anchor sizes", "box side sqrt(w*h), pixels (log scale)",
            anchorSides(diagnosis.Anchors), anchorSides(diagnosis.Suggestion.Parameters), v => Math.Pow(2, v).ToString("0", CultureInfo.InvariantCulture));
        return plot;
    }

    /// <summary>log2 of height / width with each anchor ratio marked.</summary>
    public static Plot Aspects(DatasetDiagnosis diagnosis)
    {
        var values = diagnosis.Scan.Boxes.Select(b => Math.Log2(b.Input.Height / b.Input.Width)).ToList();
        return Histogram(values, "Box aspect (height / width) with anchor ratios", "height / width (log scale)",
            diagnosis.Anchors.ratios.Select(r => Math.Log2(r)), diagnosis.Suggestion.Parameters.ratios.Select(r => Math.Log2(r)),
            v => v >= 0 ? $"{Math.Pow(2, v):0.##}:1" : $"1:{Math.Pow(2, -v):0.##}");
    }

    static Plot Histogram(IReadOnlyList<double> values, string title, string xLabel, IEnumerable<double> current, IEnumerable<double> suggested,
        Func<double, string> tick)
    {
        var plot = new Plot();
        var cur = current.ToList();
        var sug = suggested.ToList();
        var all = values.Concat(cur).Concat(sug).ToList();
        double lo = Math.Floor(all.DefaultIfEmpty(0).Min()) - 0.5, hi = Math.Ceiling(all.DefaultIfEmpty(1).Max()) + 0.5;
        var histogram = ScottPlot.Statistics.Histogram.WithBinCount(Math.Max(10, (int)((hi - lo) * 6)), lo, hi);
        histogram.AddRange(values);
        var bars = plot.Add.Bars(histogram.Bins, histogram.Counts);
        foreach (var bar in bars.Bars)
        {
            bar.Size = histogram.FirstBinSize;
            bar.FillColor = Colors.SteelBlue;
            bar.LineWidth = 0;
        }
        bars.LegendText = $"boxes ({values.Count})";
        AddLines(plot, cur, Current, LinePattern.Dashed, "current anchors");
        AddLines(plot, sug, Suggested, LinePattern.Solid, "suggested anchors");
        var ticks = Enumerable.Range((int)Math.Ceiling(lo), (int)(Math.Floor(hi) - Math.Ceiling(lo)) + 1).Select(v => (double)v).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, ticks.Select(tick).ToArray());
        ReportPlots.Frame(plot, title, xLabel, "boxes");
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    static void AddLines(Plot plot, IEnumerable<double> xs, Color color, LinePattern pattern, string legend)
    {
        bool first = true;
        foreach (var x in xs.Distinct())
        {
            var line = plot.Add.VerticalLine(x);
            line.Color = color.WithAlpha(0.8);
            line.LinePattern = pattern;
            line.LineWidth = 2;
            if (first) line.LegendText = legend;
            first = false;
        }
    }
}
