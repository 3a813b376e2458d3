using System.Globalization;
using SkiaSharp;

namespace RetinaNet.Train.Demo;

/// <summary>One object drawn in a synthetic image.</summary>
public sealed record ShapeObject(int x1, int y1, int x2, int y2, string class_name);

/// <summary>
/// A small, deterministic detection dataset made in code: coloured shapes (the classes) of several sizes on
/// textured backgrounds. The colour is random per object, so the class is carried by the shape alone.
/// Written as PNG images plus keras-retinanet CSV files, so the demo trains through the same CSV pipeline as users.
/// </summary>
public static class ShapesDataset
{
    /// <summary>The class names, in label order.</summary>
    public static readonly string[] Classes = { "circle", "square", "triangle", "cross" };

    /// <summary>Draws one image and its objects; the same seed and index always give the same picture.</summary>
    public static (SKBitmap image, List<ShapeObject> objects) Render(int seed, int index, int size = 256,
        int minObject = 24, int maxObject = 96, int maxObjects = 4)
    {
        // A fixed mix (HashCode.Combine is randomised per process, which would change the dataset between runs).
        var random = new Random((int)((seed * 1_000_003L + index) & 0x7fffffff));
        var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        DrawBackground(canvas, random, size);

        var objects = new List<ShapeObject>();
        var count = random.Next(1, maxObjects + 1);
        for (int attempt = 0; attempt < count * 10 && objects.Count < count; attempt++)
        {
            var side = random.Next(minObject, maxObject + 1);
            var x = random.Next(0, size - side);
            var y = random.Next(0, size - side);
            var candidate = new ShapeObject(x, y, x + side, y + side, Classes[random.Next(Classes.Length)]);
            if (objects.Any(o => Overlap(o, candidate) > 0.15)) continue;
            DrawShape(canvas, random, candidate);
            objects.Add(candidate);
        }
        return (bitmap, objects);
    }

    /// <summary>
    /// Writes <paramref name="count"/> images to <c>folder/images</c> and a keras-retinanet CSV annotations file
    /// (<c>path,x1,y1,x2,y2,class</c>); returns the annotations file's path.
    /// </summary>
    public static string WriteCsv(string folder, string split, int count, int seed, int size = 256)
    {
        var images = Path.Combine(folder, "images", split);
        Directory.CreateDirectory(images);
        var lines = new List<string>();
        for (int i = 0; i < count; i++)
        {
            var (image, objects) = Render(seed, i, size);
            using (image)
            {
                var name = $"images/{split}/{i:D5}.png";
                using (var data = image.Encode(SKEncodedImageFormat.Png, 100))
                using (var file = File.Create(Path.Combine(folder, name)))
                    data.SaveTo(file);
                if (objects.Count == 0) lines.Add($"{name},,,,,");
                lines.AddRange(objects.Select(o => string.Create(CultureInfo.InvariantCulture,
                    $"{name},{o.x1},{o.y1},{o.x2},{o.y2},{o.class_name}")));
            }
        }
        var path = Path.Combine(folder, $"{split}.csv");
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>Writes the classes file (<c>name,id</c>) and returns its path.</summary>
    public static string WriteClasses(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "classes.csv");
        File.WriteAllLines(path, Classes.Select((c, i) => $"{c},{i}"));
        return path;
    }

    static void DrawBackground(SKCanvas canvas, Random random, int size)
    {
        // A two-colour gradient with speckle noise and a few faint lines, so the background is not a flat colour.
        SKColor Muted() => new((byte)random.Next(60, 190), (byte)random.Next(60, 190), (byte)random.Next(60, 190));
        using var gradient = new SKPaint
        {
            Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(size, size),
                new[] { Muted(), Muted() }, SKShaderTileMode.Clamp),
        };
        canvas.DrawRect(0, 0, size, size, gradient);
        using var speckle = new SKPaint { IsAntialias = false };
        for (int i = 0; i < size * size / 12; i++)
        {
            var v = (byte)random.Next(0, 256);
            speckle.Color = new SKColor(v, v, v, 40);
            canvas.DrawPoint(random.Next(size), random.Next(size), speckle);
        }
        using var line = new SKPaint { IsAntialias = true, StrokeWidth = 2, Style = SKPaintStyle.Stroke };
        for (int i = 0; i < 4; i++)
        {
            line.Color = Muted().WithAlpha(70);
            canvas.DrawLine(random.Next(size), random.Next(size), random.Next(size), random.Next(size), line);
        }
    }

    static void DrawShape(SKCanvas canvas, Random random, ShapeObject o)
    {
        using var paint = new SKPaint
        {
            IsAntialias = true,
            Style = SKPaintStyle.Fill,
            Color = SKColor.FromHsv(random.Next(360), random.Next(60, 100), random.Next(70, 100)),
        };
        float x1 = o.x1, y1 = o.y1, x2 = o.x2, y2 = o.y2, w = x2 - x1, h = y2 - y1;
        switch (o.class_name)
        {
            case "circle":
                canvas.DrawOval(new SKRect(x1, y1, x2, y2), paint);
                break;
            case "square":
                canvas.DrawRect(new SKRect(x1, y1, x2, y2), paint);
                break;
            case "triangle":
            {
                using var path = new SKPath();
                path.MoveTo(x1 + w / 2, y1);
                path.LineTo(x2, y2);
                path.LineTo(x1, y2);
                path.Close();
                canvas.DrawPath(path, paint);
                break;
            }
            default: // cross: two bars a third of the side wide
                canvas.DrawRect(new SKRect(x1 + w / 3, y1, x2 - w / 3, y2), paint);
                canvas.DrawRect(new SKRect(x1, y1 + h / 3, x2, y2 - h / 3), paint);
                break;
        }
    }

    static double Overlap(ShapeObject a, ShapeObject b)
    {
        var iw = Math.Min(a.x2, b.x2) - Math.Max(a.x1, b.x1);
        var ih = Math.Min(a.y2, b.y2) - Math.Max(a.y1, b.y1);
        if (iw <= 0 || ih <= 0) return 0;
        var inter = (double)iw * ih;
        return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
    }
}
