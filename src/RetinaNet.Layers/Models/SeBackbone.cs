using System.Globalization;
using RetinaNet.Core;

namespace RetinaNet.Layers;

/// <summary>
/// keras-retinanet's SeBackbone over classification_models: <c>seresnet18</c>, <c>seresnet34</c> (C3–C5
/// <c>stage3_unit1_relu1</c>, <c>stage4_unit1_relu1</c>, <c>relu1</c>). Its preprocessing is the identity
/// (classification_models' <c>preprocess_input</c> returns the image unchanged). The custom objects include the
/// Lambda functions <c>expand_dims</c> and <c>slice_tensor</c>.
/// </summary>
public sealed class SeBackbone : Backbone
{
    /// <summary>Creates the backbone; throws for unknown names.</summary>
    public SeBackbone(string backbone = "seresnet18") : base(backbone)
    {
        SeNetFunctions.Register(custom_objects);
    }

    static readonly string[] allowed = { "seresnet18", "seresnet34", "seresnet50", "seresnet101", "seresnet152", "seresnext50", "seresnext101", "senet154" };
    static readonly string[] built = { "seresnet18", "seresnet34" };

    /// <inheritdoc/>
    public override string preprocess_mode => "none";

    /// <inheritdoc/>
    public override void validate()
    {
        var name = backbone.Split('_')[0];
        if (!allowed.Contains(name))
            throw new ArgumentException($"Backbone ('{name}') not in allowed backbones ([{string.Join(", ", allowed.Select(a => $"'{a}'"))}]).");
        if (!built.Contains(name))
            throw new NotSupportedException($"Backbone '{name}' is not built yet in RetinaNet for .NET (available SE backbones: {string.Join(", ", built)}).");
    }

    /// <summary>Layer names keras-retinanet's senet.py takes as C3, C4, C5.</summary>
    public string[] output_names => backbone.Split('_')[0] switch
    {
        "seresnet18" or "seresnet34" => new[] { "stage3_unit1_relu1", "stage4_unit1_relu1", "relu1" },
        var other => throw new NotSupportedException($"Backbone '{other}' is not built yet."),
    };

    /// <inheritdoc/>
    public override (Model model, Dictionary<string, KerasTensor> layers) backbone_layers(KerasTensor inputs)
    {
        var depth = int.Parse(backbone.Split('_')[0]["seresnet".Length..], CultureInfo.InvariantCulture);
        var senet = SeResNet.Build(inputs, depth);
        var outputs = output_names.Select(n => senet.get_layer(n).output.Single()).ToList();
        var model = keras.Model(inputs, new KerasTensors(outputs), name: senet.name);
        return (model, new Dictionary<string, KerasTensor> { ["C3"] = outputs[0], ["C4"] = outputs[1], ["C5"] = outputs[2] });
    }

    /// <inheritdoc/>
    public override Model retinanet(int num_classes, KerasTensor? inputs = null, Func<Model, Model>? modifier = null,
        RetinaNetOptions? options = null) => Build(num_classes, inputs, modifier, options);
}
