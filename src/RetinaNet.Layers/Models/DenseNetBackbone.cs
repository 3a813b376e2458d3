using System.Globalization;
using RetinaNet.Core;

namespace RetinaNet.Layers;

/// <summary>
/// keras-retinanet's DenseNet backbones <c>densenet121</c>, <c>densenet169</c>, <c>densenet201</c>: C2–C5 are the
/// last <c>conv{s}_block{n}_concat</c> of each dense block; <c>tf</c> preprocessing. The backbone model (what
/// <c>--freeze-backbone</c> freezes) ends at those layers, as keras-retinanet cuts it. Level sizes are floored by the
/// transition poolings, so training anchors use shapes computed from the model (<see cref="Utils.PyramidShapes"/>).
/// </summary>
public sealed class DenseNetBackbone : Backbone
{
    /// <summary>Creates the backbone; throws for unknown names.</summary>
    public DenseNetBackbone(string backbone = "densenet121") : base(backbone) { }

    static readonly string[] allowed = { "densenet121", "densenet169", "densenet201" };

    /// <inheritdoc/>
    public override string preprocess_mode => "tf";

    /// <summary>121, 169 or 201.</summary>
    public int depth => int.Parse(backbone.Split('_')[0]["densenet".Length..], CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public override void validate()
    {
        var name = backbone.Split('_')[0];
        if (!allowed.Contains(name))
            throw new ArgumentException($"Backbone ('{name}') not in allowed backbones ([{string.Join(", ", allowed.Select(a => $"'{a}'"))}]).");
    }

    /// <inheritdoc/>
    public override (Model model, Dictionary<string, KerasTensor> layers) backbone_layers(KerasTensor inputs)
    {
        var densenet = DenseNet.Build(inputs, depth);
        var outputs = DenseNet.OutputNames(depth).Select(n => densenet.get_layer(n).output.Single()).ToList();
        var model = keras.Model(inputs, new KerasTensors(outputs), name: densenet.name);
        var names = new[] { "C2", "C3", "C4", "C5" };
        return (model, names.Select((n, i) => (n, outputs[i])).ToDictionary(p => p.n, p => p.Item2));
    }

    /// <inheritdoc/>
    public override Model retinanet(int num_classes, KerasTensor? inputs = null, Func<Model, Model>? modifier = null,
        RetinaNetOptions? options = null) => Build(num_classes, inputs, modifier, options);
}
