using RetinaNet.Train.Utils;
using SkiaSharp;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Train.Utils;

public class VisualizationTests
{
    [Test]
    public void ToBitmap_ConvertsBgrToRgb()
    {
        // Pixel (0,0) is pure blue in BGR order (255, 0, 0); pixel (0,1) pure red (0, 0, 255).
        using var bgr = zeros(1, 2, 3);
        bgr[0, 0, 0] = tensor(255f);
        bgr[0, 1, 2] = tensor(255f);
        using var bitmap = Visualization.to_bitmap(bgr);
        Assert.That(bitmap.GetPixel(0, 0), Is.EqualTo(new SKColor(0, 0, 255)));
        Assert.That(bitmap.GetPixel(1, 0), Is.EqualTo(new SKColor(255, 0, 0)));
    }

    [Test]
    public void DrawDetections_DrawsOnlyAboveThreshold_InTheLabelColour()
    {
        using var bitmap = new SKBitmap(40, 40);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Black);
            Visualization.draw_detections(canvas, new[] { (5.0, 20.0, 35.0, 35.0), (2.0, 2.0, 10.0, 10.0) },
                new[] { 0.9, 0.1 }, new[] { 1, 2 }, l => $"c{l}", score_threshold: 0.5);
        }
        var color = Visualization.label_color(1);
        Assert.That(bitmap.GetPixel(20, 35), Is.EqualTo(color), "bottom edge of the kept box");
        Assert.That(bitmap.GetPixel(2, 6), Is.EqualTo(SKColors.Black), "the low-score box is not drawn");
        Assert.That(Visualization.label_color(1), Is.Not.EqualTo(Visualization.label_color(2)));
    }

    [Test]
    public void SavePng_WritesAReadableFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vis-{Guid.NewGuid():N}.png");
        try
        {
            using var bitmap = new SKBitmap(8, 8);
            Visualization.save_png(bitmap, path);
            using var decoded = SKBitmap.Decode(path);
            Assert.That(decoded.Width, Is.EqualTo(8));
        }
        finally { File.Delete(path); }
    }
}
