namespace RetinaNet.Layers.Utils;

/// <summary>
/// How anchors are generated (keras-retinanet <c>utils.anchors.AnchorParameters</c>): one base size and stride per
/// pyramid level, and the ratios (height / width) and scales combined at every feature-map cell.
/// </summary>
public sealed class AnchorParameters
{
    /// <summary>Creates the parameters; <paramref name="sizes"/> and <paramref name="strides"/> have one entry per level.</summary>
    public AnchorParameters(IEnumerable<int> sizes, IEnumerable<int> strides, IEnumerable<float> ratios, IEnumerable<float> scales)
    {
        this.sizes = sizes.ToArray();
        this.strides = strides.ToArray();
        this.ratios = ratios.ToArray();
        this.scales = scales.ToArray();
        if (this.sizes.Count != this.strides.Count)
            throw new ArgumentException("sizes and strides should have an equal number of values");
    }

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

    /// <summary>
    /// keras-retinanet's defaults: sizes 32..512, strides 8..128 (levels P3..P7), ratios 0.5, 1, 2 and scales
    /// 2^0, 2^(1/3), 2^(2/3) — 9 anchors per cell.
    /// </summary>
    public static AnchorParameters Default { get; } = new(
        sizes: new[] { 32, 64, 128, 256, 512 },
        strides: new[] { 8, 16, 32, 64, 128 },
        ratios: new[] { 0.5f, 1f, 2f },
        scales: new[] { 1f, (float)Math.Pow(2, 1.0 / 3.0), (float)Math.Pow(2, 2.0 / 3.0) });
}
