using RetinaNet.Layers.Utils;
using System.Globalization;
using RetinaNet.Core;

namespace RetinaNet.Layers;

/// <summary>
/// keras-retinanet's ResNet backbones: <c>resnet50</c>, <c>resnet101</c>, <c>resnet152</c>, plus keras-resnet's
/// basic-block <c>resnet18</c>/<c>resnet34</c>. An optional <c>_width</c> suffix (e.g. <c>resnet18_16</c>) sets the
/// first stage's channels (64 by default) for light models trained on the CPU. Caffe preprocessing.
/// </summary>
public sealed class ResNetBackbone : Backbone
{
    /// <summary>Creates the backbone; throws for unknown names.</summary>
    public ResNetBackbone(string backbone = "resnet50") : base(backbone)
    {
        custom_objects["BatchNormalization"] = typeof(ResNetBatchNormalization);
    }

    static readonly string[] allowed = { "resnet18", "resnet34", "resnet50", "resnet101", "resnet152" };

    /// <inheritdoc/>
    public override string preprocess_mode => "caffe";

    /// <summary>Network depth from the name.</summary>
    public int depth => int.Parse(backbone.Split('_')[0]["resnet".Length..], CultureInfo.InvariantCulture);

    /// <summary>Channels of the first stage (64 unless the name has a <c>_width</c> suffix).</summary>
    public int width => backbone.Split('_') is { Length: 2 } parts ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 64;

    /// <summary>Whether to build keras-resnet 0.1.0's <c>padding_conv1</c> stem (set when loading such a file).</summary>
    public bool padding_conv1 { get; init; }

    /// <inheritdoc/>
    public override void validate()
    {
        var parts = backbone.Split('_');
        if (!allowed.Contains(parts[0]))
            throw new ArgumentException($"Backbone ('{backbone}') not in allowed backbones ([{string.Join(", ", allowed.Select(a => $"'{a}'"))}]).");
        if (parts.Length > 2 || parts.Length == 2 && !(int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w > 0))
            throw new ArgumentException($"Backbone ('{backbone}'): the optional suffix after '_' must be a positive channel width, e.g. resnet18_16.");
    }

    /// <inheritdoc/>
    public override (Model model, Dictionary<string, KerasTensor> layers) backbone_layers(KerasTensor inputs)
    {
        var resnet = ResNet.Build(inputs, depth, freeze_bn: true, padding_conv1: padding_conv1, width: width);
        var names = new[] { "C2", "C3", "C4", "C5" };
        return (resnet, names.Select((n, i) => (n, resnet.outputs[i])).ToDictionary(p => p.n, p => p.Item2));
    }

    /// <inheritdoc/>
    public override Model retinanet(int num_classes, KerasTensor? inputs = null, Func<Model, Model>? modifier = null,
        RetinaNetOptions? options = null) => Build(num_classes, inputs, modifier, options);
}
