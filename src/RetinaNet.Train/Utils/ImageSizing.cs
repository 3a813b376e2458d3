namespace RetinaNet.Train.Utils;

/// <summary>
/// How images are sized for the network (keras-retinanet's <c>--image-min-side</c>, <c>--image-max-side</c> and
/// <c>--no-resize</c>): the smaller side is scaled to <paramref name="min_side"/>, less if the larger side would then
/// exceed <paramref name="max_side"/>; <paramref name="no_resize"/> keeps the image as it is. Bound once by the CLI
/// (<c>Cli.ImageSizingOptions</c>) and passed whole to the generators, the trainer and the detector.
/// </summary>
/// <remarks>Plain C# on purpose (no TorchSharp): an inference package without libtorch shares this rule.</remarks>
/// <param name="min_side">Target of the smaller image side, in pixels.</param>
/// <param name="max_side">Upper bound of the larger image side, in pixels.</param>
/// <param name="no_resize">Do not resize (scale 1).</param>
public sealed record ImageSizing(int min_side = ImageSizing.DefaultMinSide, int max_side = ImageSizing.DefaultMaxSide, bool no_resize = false)
{
    /// <summary>keras-retinanet's default smaller side (800).</summary>
    public const int DefaultMinSide = 800;

    /// <summary>keras-retinanet's default bound of the larger side (1333).</summary>
    public const int DefaultMaxSide = 1333;

    /// <summary>keras-retinanet's defaults: 800, 1333, resizing on.</summary>
    public static ImageSizing Default { get; } = new();

    /// <summary>The scale applied to an image of <paramref name="rows"/> × <paramref name="cols"/> pixels (1 with <see cref="no_resize"/>).</summary>
    public double scale_for(long rows, long cols) => no_resize ? 1.0 : compute_resize_scale(rows, cols, min_side, max_side);

    /// <summary>
    /// keras-retinanet's <c>compute_resize_scale</c>: the scale that makes the smaller side <paramref name="min_side"/>,
    /// reduced so the larger side does not exceed <paramref name="max_side"/>.
    /// </summary>
    public static double compute_resize_scale(long rows, long cols, double min_side, double max_side) =>
        RetinaNet.Inference.ImageResizing.ResizeScale(rows, cols, min_side, max_side);
}
