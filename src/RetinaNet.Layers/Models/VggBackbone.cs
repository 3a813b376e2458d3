using System.Globalization;
using RetinaNet.Core;

namespace RetinaNet.Layers;

/// <summary>
/// keras-retinanet's VGG backbones <c>vgg16</c> and <c>vgg19</c>: C3–C5 are <c>block3_pool</c>, <c>block4_pool</c>,
/// <c>block5_pool</c> (no C2); caffe preprocessing. Level sizes are floored by the poolings, so training anchors use
/// shapes computed from the model (<see cref="Utils.PyramidShapes"/>).
/// </summary>
public sealed class VggBackbone : Backbone
{
    /// <summary>Creates the backbone; throws for unknown names.</summary>
    public VggBackbone(string backbone = "vgg16") : base(backbone) { }

    static readonly string[] allowed = { "vgg16", "vgg19" };

    /// <inheritdoc/>
    public override string preprocess_mode => "caffe";

    /// <summary>16 or 19.</summary>
    public int depth => int.Parse(backbone["vgg".Length..], CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public override void validate()
    {
        if (!allowed.Contains(backbone))
            throw new ArgumentException($"Backbone ('{backbone}') not in allowed backbones ([{string.Join(", ", allowed.Select(a => $"'{a}'"))}]).");
    }

    /// <inheritdoc/>
    public override (Model model, Dictionary<string, KerasTensor> layers) backbone_layers(KerasTensor inputs)
    {
        var vgg = Vgg.Build(inputs, depth);
        var names = new[] { "block3_pool", "block4_pool", "block5_pool" };
        var outputs = names.Select(n => vgg.get_layer(n).output.Single()).ToList();
        return (vgg, new Dictionary<string, KerasTensor> { ["C3"] = outputs[0], ["C4"] = outputs[1], ["C5"] = outputs[2] });
    }

    /// <inheritdoc/>
    public override Model retinanet(int num_classes, KerasTensor? inputs = null, Func<Model, Model>? modifier = null,
        RetinaNetOptions? options = null) => Build(num_classes, inputs, modifier, options);
}
