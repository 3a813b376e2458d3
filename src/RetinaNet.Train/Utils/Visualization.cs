using RetinaNet.Core;
using System.Globalization;
using SkiaSharp;
using static TorchSharp.torch;

namespace RetinaNet.Train.Utils;

/// <summary>
/// Drawing boxes, captions, detections and annotations (keras-retinanet's <c>utils/visualization.py</c>) with
/// SkiaSharp. Colours are given as RGB; images at the API are (H, W, 3) BGR tensors as everywhere in the pipeline.
/// </summary>
public static class Visualization
{
    /// <summary>A distinct, stable colour per class label.</summary>
    public static SKColor label_color(int label)
    {
        // Golden-ratio hue steps give well separated colours for any number of classes.
        var hue = (float)(label * 137.50776 % 360.0);
        return SKColor.FromHsv(hue, 85, 95);
    }

    /// <summary>A bitmap of an (H, W, 3) BGR image with values 0..255.</summary>
    public static SKBitmap to_bitmap(Tensor bgr)
    {
        using var scope = NewDisposeScope();
        var height = (int)bgr.shape[0];
        var width = (int)bgr.shape[1];
        var rgba = cat(new[] { bgr.flip(2), full(new long[] { height, width, 1 }, HeldScalar.Of(255f), device: bgr.device) }, 2)
            .clamp(HeldScalar.OfInteger(0), HeldScalar.OfInteger(255)).round().to(ScalarType.Byte).cpu().contiguous();
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var bytes = rgba.data<byte>().ToArray();
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
        return bitmap;
    }

    /// <summary>A rectangle outline.</summary>
    public static void draw_box(SKCanvas canvas, double x1, double y1, double x2, double y2, SKColor color, float thickness = 2)
    {
        using var paint = new SKPaint { Color = color, Style = SKPaintStyle.Stroke, StrokeWidth = thickness, IsAntialias = true };
        canvas.DrawRect(SKRect.Create((float)x1, (float)y1, (float)(x2 - x1), (float)(y2 - y1)), paint);
    }

    /// <summary>Text above the box's top-left corner, white on a dark outline so it reads on any background.</summary>
    public static void draw_caption(SKCanvas canvas, double x1, double y1, string caption)
    {
        using var font = new SKFont(SKTypeface.Default, 12);
        using var outline = new SKPaint { Color = SKColors.Black, Style = SKPaintStyle.Stroke, StrokeWidth = 3, IsAntialias = true };
        using var fill = new SKPaint { Color = SKColors.White, IsAntialias = true };
        var y = (float)Math.Max(12, y1 - 3);
        canvas.DrawText(caption, (float)x1 + 1, y, font, outline);
        canvas.DrawText(caption, (float)x1 + 1, y, font, fill);
    }

    /// <summary>Draws detections with a score above the threshold, coloured by label, captioned "name: score".</summary>
    public static void draw_detections(SKCanvas canvas, IReadOnlyList<(double x1, double y1, double x2, double y2)> boxes,
        IReadOnlyList<double> scores, IReadOnlyList<int> labels, Func<int, string> label_to_name, double score_threshold = 0.5)
    {
        for (int i = 0; i < boxes.Count; i++)
        {
            if (labels[i] < 0 || scores[i] < score_threshold) continue;
            var (x1, y1, x2, y2) = boxes[i];
            draw_box(canvas, x1, y1, x2, y2, label_color(labels[i]));
            draw_caption(canvas, x1, y1, string.Create(CultureInfo.InvariantCulture, $"{label_to_name(labels[i])}: {scores[i]:0.00}"));
        }
    }

    /// <summary>Draws ground-truth boxes in one colour (keras-retinanet uses green), captioned with the class name.</summary>
    public static void draw_annotations(SKCanvas canvas, IReadOnlyList<(double x1, double y1, double x2, double y2)> boxes,
        IReadOnlyList<int> labels, Func<int, string> label_to_name, SKColor color)
    {
        for (int i = 0; i < boxes.Count; i++)
        {
            var (x1, y1, x2, y2) = boxes[i];
            draw_box(canvas, x1, y1, x2, y2, color);
            draw_caption(canvas, x1, y1, label_to_name(labels[i]));
        }
    }

    /// <summary>Saves a bitmap as PNG through a temporary file and a rename.</summary>
    public static void save_png(SKBitmap bitmap, string path)
    {
        AtomicFile.Write(path, temp =>
        {
            using var image = SKImage.FromBitmap(bitmap);
            using var data = image.Encode(SKEncodedImageFormat.Png, 100);
            using var file = File.Create(temp);
            data.SaveTo(file);
        });
    }
}
