using RetinaNet.Layers.Utils;
namespace RetinaNet.Layers;

/// <summary>The keyword arguments of keras-retinanet's <c>retinanet(...)</c>, with its defaults.</summary>
public sealed record RetinaNetOptions
{
    /// <summary>Anchors per location; default from <see cref="AnchorParameters.Default"/> (9).</summary>
    public int? num_anchors { get; init; }

    /// <summary>Pyramid levels; default P3–P7.</summary>
    public int[]? pyramid_levels { get; init; }

    /// <summary>Sub-models applied to every pyramid level; default regression and classification heads.</summary>
    public IReadOnlyList<(string name, RetinaNet.Core.Model model)>? submodels { get; init; }

    /// <summary>Channels of the pyramid features (FPN), 256 in keras-retinanet.</summary>
    public int feature_size { get; init; } = 256;

    /// <summary>Channels inside the default heads, 256 in keras-retinanet.</summary>
    public int head_feature_size { get; init; } = 256;

    /// <summary>Prior probability of the classification bias (0.01).</summary>
    public double prior_probability { get; init; } = 0.01;

    /// <summary>Model name.</summary>
    public string name { get; init; } = "retinanet";
}
