namespace RetinaNet.Layers.Utils;

/// <summary>
/// Everything that decides a RetinaNet's anchors (keras-retinanet's <c>AnchorParameters</c> and
/// <c>pyramid_levels</c>, which always travel together): the pyramid levels, one base size and stride per level, and
/// the ratios (height / width) and scales combined at every feature-map cell. Read from a <c>--config</c> file by
/// <see cref="ConfigFile.read_anchor_config"/>; how anchors are laid out from it is an <see cref="IAnchorLayout"/>.
/// </summary>
public sealed record AnchorConfig
{
    /// <summary>Creates the config; <paramref name="sizes"/> and <paramref name="strides"/> have one entry per level.</summary>
    /// <param name="sizes">Base anchor size per pyramid level, in input pixels.</param>
    /// <param name="strides">Stride per pyramid level, in input pixels.</param>
    /// <param name="ratios">Aspect ratios (height / width).</param>
    /// <param name="scales">Scales of the base size.</param>
    /// <param name="pyramid_levels">Pyramid levels (default <see cref="DefaultPyramidLevels"/>); level i uses
    /// <c>sizes[i]</c> and <c>strides[i]</c>.</param>
    public AnchorConfig(IEnumerable<int> sizes, IEnumerable<int> strides, IEnumerable<float> ratios, IEnumerable<float> scales,
        IEnumerable<int>? pyramid_levels = null)
    {
        this.sizes = sizes.ToArray();
        this.strides = strides.ToArray();
        this.ratios = ratios.ToArray();
        this.scales = scales.ToArray();
        this.pyramid_levels = pyramid_levels?.ToArray() ?? DefaultPyramidLevels;
        if (this.sizes.Count != this.strides.Count)
            throw new ArgumentException("sizes and strides should have an equal number of values");
    }

    /// <summary>Pyramid levels used when a config names none: P3..P7 (keras-retinanet's default).</summary>
    public static IReadOnlyList<int> DefaultPyramidLevels { get; } = new[] { 3, 4, 5, 6, 7 };

    /// <summary>Pyramid levels (P-level numbers) the anchors and the model's outputs cover.</summary>
    public IReadOnlyList<int> pyramid_levels { get; init; }

    /// <summary>Base anchor size per pyramid level, in input pixels.</summary>
    public IReadOnlyList<int> sizes { get; }

    /// <summary>Stride of each pyramid level, in input pixels.</summary>
    public IReadOnlyList<int> strides { get; }

    /// <summary>Aspect ratios (height / width); float32 as keras-retinanet stores them (<c>floatx</c>).</summary>
    public IReadOnlyList<float> ratios { get; }

    /// <summary>Scales of the base size; float32 as keras-retinanet stores them (<c>floatx</c>).</summary>
    public IReadOnlyList<float> scales { get; }

    /// <summary>Anchors per feature-map cell: <c>len(ratios) * len(scales)</c>.</summary>
    public int num_anchors() => ratios.Count * scales.Count;

    /// <summary>The ratios widened to float64, as the anchor maths and the <c>Anchors</c> layer take them.</summary>
    public double[] ratios_as_double() => ratios.Select(r => (double)r).ToArray();

    /// <summary>The scales widened to float64, as the anchor maths and the <c>Anchors</c> layer take them.</summary>
    public double[] scales_as_double() => scales.Select(s => (double)s).ToArray();

    /// <summary>
    /// keras-retinanet's defaults: levels P3..P7, sizes 32..512, strides 8..128, ratios 0.5, 1, 2 and scales
    /// 2^0, 2^(1/3), 2^(2/3) — 9 anchors per cell.
    /// </summary>
    public static AnchorConfig Default { get; } = new(
        sizes: new[] { 32, 64, 128, 256, 512 },
        strides: new[] { 8, 16, 32, 64, 128 },
        ratios: new[] { 0.5f, 1f, 2f },
        scales: new[] { 1f, (float)Math.Pow(2, 1.0 / 3.0), (float)Math.Pow(2, 2.0 / 3.0) });
}
