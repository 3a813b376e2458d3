using RetinaNet.Layers.Utils;
namespace RetinaNet.Layers;

/// <summary>The keyword arguments of keras-retinanet's <c>retinanet(...)</c>, with its defaults.</summary>
public sealed record RetinaNetOptions
{
    /// <summary>
    /// The anchors the model is trained for (keras-retinanet's <c>num_anchors</c> and <c>pyramid_levels</c>, which
    /// come from them): anchors per location and the pyramid levels the heads see. Default <see cref="AnchorConfig.Default"/>.
    /// </summary>
    public AnchorConfig anchors { get; init; } = AnchorConfig.Default;

    /// <summary>Sub-models applied to every pyramid level; default regression and classification heads.</summary>
    public IReadOnlyList<(string name, RetinaNet.Core.Model model)>? submodels { get; init; }

    /// <summary>Channels of the pyramid features (FPN), 256 in keras-retinanet.</summary>
    public int feature_size { get; init; } = 256;

    /// <summary>Channels inside the default heads, 256 in keras-retinanet.</summary>
    public int head_feature_size { get; init; } = 256;

    /// <summary>Prior probability of the classification bias (0.01).</summary>
    public double prior_probability { get; init; } = 0.01;

    /// <summary>
    /// Normalisation in the heads' four 3×3 convolutions: <c>none</c> (keras-retinanet, torchvision v1: conv with bias,
    /// ReLU) or <c>group</c> (torchvision v2: conv without bias, GroupNormalization(32), ReLU). <c>--head-norm</c>.
    /// </summary>
    public string head_norm { get; init; } = "none";

    /// <summary>
    /// What P6 is computed from: <c>c5</c> (keras-retinanet and torchvision v2) or <c>p5</c> (the FPN's P5 output, as
    /// torchvision v1 and the RetinaNet paper's FPN). <c>--p6-from</c>.
    /// </summary>
    public string p6_from { get; init; } = "c5";

    /// <summary>Model name.</summary>
    public string name { get; init; } = "retinanet";
}
