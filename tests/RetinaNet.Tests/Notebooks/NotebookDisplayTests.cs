using System.Globalization;
using System.Text.RegularExpressions;
using RetinaNet.Train.Notebooks;
using SkiaSharp;

namespace RetinaNet.Tests.Notebooks;

public class NotebookDisplayTests
{
    [Test]
    public void ToHtml_Bitmap_IsImgWithPngDataUriOfSamePixels()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(3, 2, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var colors = new[,] { { SKColors.Red, SKColors.Lime, SKColors.Blue }, { SKColors.White, SKColors.Black, new SKColor(10, 20, 30) } };
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++)
                bitmap.SetPixel(x, y, colors[y, x]);

        var html = NotebookDisplay.ToHtml(bitmap);

        var match = Regex.Match(html, "^<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\" width=\"3\" height=\"2\" />$");
        Assert.That(match.Success, Is.True, html);
        using var decoded = SKBitmap.Decode(Convert.FromBase64String(match.Groups[1].Value));
        Assert.That((decoded.Width, decoded.Height), Is.EqualTo((3, 2)));
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++)
                Assert.That(decoded.GetPixel(x, y), Is.EqualTo(colors[y, x]), $"pixel ({x}, {y})");
    }

    [Test]
    public void ToHtmlTable_EncodesCells_UsesInvariantNumbers_AndLeavesNullEmpty()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE"); // would write 0,5
        try
        {
            var html = NotebookDisplay.ToHtmlTable(
                new[] { "class", "AP" },
                new[] { new object?[] { "<circle>", 0.5 }, new object?[] { "a & b", null } });

            Assert.That(html, Is.EqualTo(
                "<table>\n" +
                "<thead><tr><th>class</th><th>AP</th></tr></thead>\n" +
                "<tbody>\n" +
                "<tr><td>&lt;circle&gt;</td><td>0.5</td></tr>\n" +
                "<tr><td>a &amp; b</td><td></td></tr>\n" +
                "</tbody>\n" +
                "</table>"));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Test]
    public void ToHtmlTable_RowOfWrongLength_SaysWhichRow()
    {
        var e = Assert.Throws<ArgumentException>(() => NotebookDisplay.ToHtmlTable(
            new[] { "a", "b" }, new[] { new object?[] { 1, 2 }, new object?[] { 3 } }));
        Assert.That(e!.Message, Does.Contain("rows[1] has 1 cell(s) but the table has 2 column(s)"));
    }

    [Test]
    public void ToHtml_Detections_ListsClassScoreAndBox()
    {
        var html = RetinaNet.Train.Notebooks.NotebookDisplay.ToHtml(new List<RetinaNet.Inference.DetectedObject>
        {
            new(1.04, 2, 30.25, 40, 0.98765, 2, "triangle"),
        });
        Assert.That(html, Does.Contain("<td>triangle</td>").And.Contain("<td>0.988</td>").And.Contain("<td>30.2</td>"));
    }
}
