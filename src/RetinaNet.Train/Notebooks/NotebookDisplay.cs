using System.Globalization;
using System.Net;
using System.Text;
using SkiaSharp;

namespace RetinaNet.Train.Notebooks;

/// <summary>
/// HTML for showing our values inline in a Polyglot Notebook. It has no dependency on .NET Interactive: a notebook
/// registers these with the kernel's formatter, e.g.
/// <c>Formatter.Register&lt;SKBitmap&gt;(NotebookDisplay.ToHtml, "text/html")</c>.
/// </summary>
public static class NotebookDisplay
{
    /// <summary>An <c>&lt;img&gt;</c> element holding the bitmap as an inline PNG (a <c>data:</c> URI).</summary>
    public static string ToHtml(SKBitmap bitmap)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new ArgumentException($"A {bitmap.Width}x{bitmap.Height} {bitmap.ColorType} bitmap cannot be encoded as PNG.", nameof(bitmap));
        var base64 = Convert.ToBase64String(png.AsSpan());
        return $"<img src=\"data:image/png;base64,{base64}\" width=\"{bitmap.Width}\" height=\"{bitmap.Height}\" />";
    }

    /// <summary>
    /// An HTML table with one header row and one row per entry of <paramref name="rows"/>. Cells are written with
    /// the invariant culture (numbers as in Python's output) and HTML-encoded; null cells are empty.
    /// </summary>
    public static string ToHtmlTable(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        var html = new StringBuilder("<table>\n<thead><tr>");
        foreach (var header in headers) html.Append("<th>").Append(WebUtility.HtmlEncode(header)).Append("</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        int index = 0;
        foreach (var row in rows)
        {
            if (row.Count != headers.Count)
                throw new ArgumentException($"rows[{index}] has {row.Count} cell(s) but the table has {headers.Count} column(s).", nameof(rows));
            html.Append("<tr>");
            foreach (var cell in row) html.Append("<td>").Append(WebUtility.HtmlEncode(Text(cell))).Append("</td>");
            html.Append("</tr>\n");
            index++;
        }
        return html.Append("</tbody>\n</table>").ToString();
    }

    static string Text(object? cell) => cell switch
    {
        null => "",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };

    /// <summary>Detections as an HTML table (class, score, box), for notebooks' display of detector results.</summary>
    public static string ToHtml(IEnumerable<RetinaNet.Inference.DetectedObject> detections) =>
        ToHtmlTable(new[] { "class", "score", "x1", "y1", "x2", "y2" },
            detections.Select(d => (IReadOnlyList<object?>)new object?[] { d.class_name, Math.Round(d.score, 3),
                Math.Round(d.x1, 1), Math.Round(d.y1, 1), Math.Round(d.x2, 1), Math.Round(d.y2, 1) }));

    /// <summary>An evaluation report (instances and AP per class, then mAP) as an HTML table.</summary>
    public static string ToHtml(RetinaNet.Train.Evaluation.EvaluationReport report) =>
        ToHtmlTable(new[] { "class", "instances", "AP" },
            report.Rows.Select(r => (IReadOnlyList<object?>)new object?[] { r.ClassName, r.Instances, Math.Round(r.AveragePrecision, 4) })
                .Append(new object?[] { "mAP", report.TotalInstances, Math.Round(report.MeanAveragePrecision, 4) }));
}
