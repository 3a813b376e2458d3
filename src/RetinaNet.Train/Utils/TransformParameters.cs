namespace RetinaNet.Train.Utils;

/// <summary>
/// How <see cref="ImageTransform.apply_transform"/> samples the source image (keras-retinanet's
/// <c>TransformParameters</c>; the defaults are keras-retinanet's).
/// </summary>
public sealed class TransformParameters
{
    private static readonly string[] FillModes = { "constant", "nearest", "reflect", "wrap" };
    private static readonly string[] Interpolations = { "nearest", "linear" };

    /// <param name="fill_mode">
    /// Pixels sampled outside the source: 'constant' (<paramref name="cval"/>), 'nearest' (edge pixel replicated,
    /// OpenCV BORDER_REPLICATE), 'reflect' (mirrored without repeating the edge, BORDER_REFLECT_101) or 'wrap'
    /// (BORDER_WRAP).
    /// </param>
    /// <param name="interpolation">'nearest' or 'linear' (OpenCV's 'cubic', 'area' and 'lanczos4' are not offered).</param>
    /// <param name="cval">Fill value for 'constant'.</param>
    /// <param name="relative_translation">Translations are fractions of the image size (true) or pixels (false).</param>
    public TransformParameters(string fill_mode = "nearest", string interpolation = "linear", double cval = 0, bool relative_translation = true)
    {
        if (!FillModes.Contains(fill_mode))
            throw new ArgumentException($"fill_mode must be one of {string.Join(", ", FillModes)}; got '{fill_mode}'.");
        if (!Interpolations.Contains(interpolation))
            throw new ArgumentException($"interpolation must be one of {string.Join(", ", Interpolations)}; got '{interpolation}'.");
        this.fill_mode = fill_mode;
        this.interpolation = interpolation;
        this.cval = cval;
        this.relative_translation = relative_translation;
    }

    /// <summary>'constant', 'nearest', 'reflect' or 'wrap'.</summary>
    public string fill_mode { get; }

    /// <summary>'nearest' or 'linear'.</summary>
    public string interpolation { get; }

    /// <summary>Fill value for fill_mode 'constant'.</summary>
    public double cval { get; }

    /// <summary>Whether translations are fractions of the image size.</summary>
    public bool relative_translation { get; }
}
