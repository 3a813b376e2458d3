using System.Globalization;
using RetinaNet.Train.Evaluation;
using ScottPlot;

namespace RetinaNet.Train.Plots;

/// <summary>The charts of a detailed evaluation report (<see cref="EvaluationDetails"/>), as ScottPlot plots.</summary>
public static class ReportPlots
{
    /// <summary>Which figure of a threshold curve.</summary>
    public enum Metric
    {
        /// <summary>Precision.</summary>
        Precision,
        /// <summary>Recall.</summary>
        Recall,
        /// <summary>F1, the harmonic mean of the two.</summary>
        F1,
    }

    /// <summary>Precision against recall per class, and all classes together (black, thicker).</summary>
    public static Plot PrecisionRecall(EvaluationDetails details)
    {
        var plot = new Plot();
        foreach (var c in details.Classes.Where(c => c.Annotations > 0))
            AddLine(plot, Stepped(details.Curves[c.Label].Recall), Stepped(details.Curves[c.Label].Precision, repeatFirst: true),
                $"{c.ClassName} AP {Fixed(c.AP50)}", Visualization(c.Label), 1.5f);
        AddLine(plot, Stepped(details.Overall.Recall), Stepped(details.Overall.Precision, repeatFirst: true),
            $"all classes mAP {Fixed(details.MeanAveragePrecision)}", Colors.Black, 3);
        Frame(plot, $"Precision–recall at IoU {Fixed(details.IouThreshold, 2)}", "recall", "precision");
        plot.Axes.SetLimits(0, 1, 0, 1.05);
        plot.ShowLegend(Alignment.LowerLeft);
        return plot;
    }

    /// <summary>Precision, recall or F1 against the score threshold, per class and all classes together.</summary>
    public static Plot AgainstThreshold(EvaluationDetails details, Metric metric)
    {
        var plot = new Plot();
        var thresholds = Enumerable.Range(0, 101).Select(i => i / 100.0).ToArray();
        double Value(PrecisionRecallCurve curve, double t)
        {
            var (p, r, f1) = curve.At(t);
            return metric switch { Metric.Precision => p, Metric.Recall => r, _ => f1 };
        }
        foreach (var c in details.Classes.Where(c => c.Annotations > 0))
            AddLine(plot, thresholds, thresholds.Select(t => Value(details.Curves[c.Label], t)).ToArray(), c.ClassName, Visualization(c.Label), 1.5f);
        AddLine(plot, thresholds, thresholds.Select(t => Value(details.Overall, t)).ToArray(), "all classes", Colors.Black, 3);
        var name = metric.ToString();
        var scoreLine = plot.Add.VerticalLine(details.ScoreThreshold);
        scoreLine.Color = Colors.Gray;
        scoreLine.LinePattern = LinePattern.Dashed;
        scoreLine.LegendText = $"score threshold {Fixed(details.ScoreThreshold, 2)}";
        Frame(plot, $"{name} against score threshold", "score threshold", name);
        plot.Axes.SetLimits(0, 1, 0, 1.05);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>The confusion matrix as a grid of cells (true class down, predicted class across), raw counts or
    /// each row as shares.</summary>
    public static Plot Confusion(EvaluationDetails details, bool normalized)
    {
        var plot = new Plot();
        var matrix = details.Confusion;
        int n = matrix.Background + 1;
        var shares = matrix.Normalized();
        long max = 1;
        foreach (var v in matrix.Counts) max = Math.Max(max, v);
        var names = matrix.Labels.Select(details.LabelToName).Append("background").ToArray();
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                double strength = normalized ? shares[r, c] : (double)matrix.Counts[r, c] / max;
                double y = n - 1 - r;
                var cell = plot.Add.Rectangle(c - 0.5, c + 0.5, y - 0.5, y + 0.5);
                cell.FillColor = Colors.Navy.WithAlpha(0.08 + 0.92 * strength);
                cell.LineWidth = 0;
                var text = plot.Add.Text(normalized ? Fixed(shares[r, c], 2) : matrix.Counts[r, c].ToString(CultureInfo.InvariantCulture), c, y);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = n > 12 ? 9 : 13;
                text.LabelFontColor = strength > 0.5 ? Colors.White : Colors.Black;
            }
        var positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(positions, names);
        if (n > 6)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        }
        plot.Axes.Left.SetTicks(positions.Select(p => n - 1 - p).ToArray(), names);
        Frame(plot, $"Confusion matrix{(normalized ? " (each row sums to 1)" : "")} at IoU {Fixed(details.IouThreshold, 2)}, score ≥ {Fixed(details.ScoreThreshold, 2)}",
            "predicted", "true");
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        return plot;
    }

    /// <summary>AP@0.5 per class as bars (classes without annotations left out).</summary>
    public static Plot ClassAveragePrecision(EvaluationDetails details)
    {
        var classes = details.Classes.Where(c => c.Annotations > 0).ToList();
        return BarChart(classes.Select(c => c.AP50).ToArray(), classes.Select(c => c.ClassName).ToArray(),
            $"AP@{Fixed(details.IouThreshold, 2)} per class (mAP {Fixed(details.MeanAveragePrecision)})", "AP", 1.05);
    }

    /// <summary>TIDE's breakdown: the mAP each error category would add if fixed.</summary>
    public static Plot ErrorBreakdown(EvaluationDetails details)
    {
        var types = Enum.GetValues<ErrorType>();
        var gains = types.Select(t => details.Errors.MapGain[t]).Select(g => double.IsNaN(g) ? 0 : g).ToArray();
        var labels = types.Select(t => $"{t}\n({details.Errors.Counts[t]})").ToArray();
        return BarChart(gains, labels, "mAP gained by fixing each error type (TIDE)", "mAP gain", Math.Max(0.05, gains.Max() * 1.15));
    }

    /// <summary>Vertical bars with a name under each.</summary>
    public static Plot BarChart(double[] values, string[] names, string title, string valueLabel, double top)
    {
        var plot = new Plot();
        var bars = plot.Add.Bars(values);
        foreach (var bar in bars.Bars) bar.Label = Fixed(bar.Value, 3);
        bars.ValueLabelStyle.FontSize = 11;
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, names.Length).Select(i => (double)i).ToArray(), names);
        if (names.Length > 6)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        }
        Frame(plot, title, "", valueLabel);
        plot.Axes.SetLimits(-0.6, Math.Max(names.Length, 1) - 0.4, 0, top);
        return plot;
    }

    internal static void AddLine(Plot plot, double[] xs, double[] ys, string legend, Color color, float width)
    {
        if (xs.Length == 0) return;
        var line = plot.Add.Scatter(xs, ys);
        line.MarkerSize = 0;
        line.LineWidth = width;
        line.Color = color;
        line.LegendText = legend;
    }

    internal static void Frame(Plot plot, string title, string x, string y)
    {
        plot.Title(title, size: 14);
        plot.XLabel(x, size: 13);
        plot.YLabel(y, size: 13);
    }

    // The curve starts at recall 0 with the first precision, as the AP envelope does: recall gets a leading 0,
    // precision a copy of its first value.
    static double[] Stepped(IReadOnlyList<double> values, bool repeatFirst = false) =>
        values.Count == 0 ? [] : new[] { repeatFirst ? values[0] : 0 }.Concat(values).ToArray();

    static Color Visualization(int label)
    {
        var c = Utils.Visualization.label_color(label);
        return new Color(c.Red, c.Green, c.Blue);
    }

    internal static string Fixed(double value, int digits = 3) =>
        double.IsNaN(value) ? "-" : value.ToString("F" + digits, CultureInfo.InvariantCulture);
}
