using static TorchSharp.torch;

namespace RetinaNet.Layers.Utils;

/// <summary>
/// How the anchors of an input image are laid out from an <see cref="AnchorConfig"/>: the extension point for the
/// other ways of making anchors from the same settings. Training targets (<c>Training.AnchorTargets</c>) take one.
/// </summary>
/// <remarks>
/// Two more layouts are expected, and belong here rather than in new arguments threaded through callers:
/// <list type="bullet">
/// <item>pyramid shapes computed from the model (keras-retinanet's <c>make_shapes_callback</c>), for backbones whose
/// P-levels are not <c>ceil(side / 2^level)</c> (VGG, DenseNet): a <see cref="ShapesCallback"/> given to
/// <see cref="KerasAnchorLayout"/>, supplied by the backbone;</item>
/// <item>torchvision's <c>AnchorGenerator</c> rule (cells anchored at <c>x·stride</c> rather than centred at
/// <c>(x + 0.5)·stride</c>, base anchors rounded): a second implementation of this interface.</item>
/// </list>
/// The inference model computes anchors in the graph (the <c>Anchors</c> layer from the real P-level shapes); a layout
/// that places anchors differently needs the same rule there, or the model decodes boxes against other anchors.
/// </remarks>
public interface IAnchorLayout
{
    /// <summary>All anchors of an input of (height, width[, channels]): float64 (N, 4) on the CPU, levels concatenated in order.</summary>
    Tensor anchors_for_shape(long[] image_shape, AnchorConfig config);
}

/// <summary>
/// keras-retinanet's layout (<c>anchors_for_shape</c>): per level, the base anchors centred on every cell
/// <c>((x + 0.5)·stride, (y + 0.5)·stride)</c> of a feature map whose shape <paramref name="shapes_callback"/> gives
/// (default <see cref="AnchorMath.guess_shapes"/>).
/// </summary>
public sealed class KerasAnchorLayout(ShapesCallback? shapes_callback = null) : IAnchorLayout
{
    /// <summary>The layout with guessed shapes (<c>ceil(side / 2^level)</c>), right for ResNet and MobileNet.</summary>
    public static KerasAnchorLayout Default { get; } = new();

    /// <inheritdoc/>
    public Tensor anchors_for_shape(long[] image_shape, AnchorConfig config) =>
        AnchorMath.anchors_for_shape(image_shape, config, shapes_callback);
}
