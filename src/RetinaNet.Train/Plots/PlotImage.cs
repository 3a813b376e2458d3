using ScottPlot;
using SkiaSharp;

namespace RetinaNet.Train.Plots;

/// <summary>ScottPlot charts as SkiaSharp bitmaps (for notebooks) or PNG files, at one size.</summary>
public static class PlotImage
{
    /// <summary>Default chart width in pixels.</summary>
    public const int Width = 640;

    /// <summary>Default chart height in pixels.</summary>
    public const int Height = 480;

    /// <summary>The chart rendered to a bitmap.</summary>
    public static SKBitmap ToBitmap(Plot plot, int width = Width, int height = Height) =>
        SKBitmap.Decode(plot.GetImageBytes(width, height, ImageFormat.Png));

    /// <summary>Writes the chart as PNG through a temporary file and a rename.</summary>
    public static void Save(Plot plot, string path, int width = Width, int height = Height)
    {
        var bytes = plot.GetImageBytes(width, height, ImageFormat.Png);
        Utils.AtomicFile.Write(path, temp => File.WriteAllBytes(temp, bytes));
    }
}
