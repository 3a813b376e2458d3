using System.Globalization;
using RetinaNet.Core;

namespace RetinaNet.Layers;

/// <summary>
/// keras-retinanet's SeBackbone over classification_models: <c>seresnet18</c>, <c>seresnet34</c> (models/resnet.py; C3–C5
/// <c>stage3_unit1_relu1</c>, <c>stage4_unit1_relu1</c>, <c>relu1</c>; preprocessing the identity) and
/// <c>seresnet50/101/152</c>, <c>seresnext50/101</c>, <c>senet154</c> (models/senet.py, see <see cref="SeNet"/>; C3–C5
/// the auto-named activations of keras-retinanet's table; preprocessing keras_applications' 'torch' mode). The custom
/// objects include the Lambda functions <c>expand_dims</c> and <c>slice_tensor</c>.
/// </summary>
public sealed class SeBackbone : Backbone
{
    /// <summary>Creates the backbone; throws for unknown names.</summary>
    public SeBackbone(string backbone = "seresnet18") : base(backbone)
    {
        SeNetFunctions.Register(custom_objects);
    }

    static readonly string[] allowed = { "seresnet18", "seresnet34", "seresnet50", "seresnet101", "seresnet152", "seresnext50", "seresnext101", "senet154" };
    /// <summary>classification_models' <c>preprocess_input</c>: the identity for resnet.py's models, 'torch' for senet.py's.</summary>
    public override string preprocess_mode => IsResNet ? "none" : "torch";

    bool IsResNet => Name is "seresnet18" or "seresnet34";

    string Name => backbone.Split('_')[0];

    /// <inheritdoc/>
    public override void validate()
    {
        var name = backbone.Split('_')[0];
        if (!allowed.Contains(name))
            throw new ArgumentException($"Backbone ('{name}') not in allowed backbones ([{string.Join(", ", allowed.Select(a => $"'{a}'"))}]).");
    }

    /// <summary>Layer names keras-retinanet's senet.py takes as C3, C4, C5.</summary>
    public string[] output_names => Name switch
    {
        "seresnet18" or "seresnet34" => new[] { "stage3_unit1_relu1", "stage4_unit1_relu1", "relu1" },
        "seresnet50" => new[] { "activation_36", "activation_66", "activation_81" },
        "seresnet101" => new[] { "activation_36", "activation_151", "activation_166" },
        "seresnet152" => new[] { "activation_56", "activation_236", "activation_251" },
        "seresnext50" => new[] { "activation_37", "activation_67", "activation_81" },
        "seresnext101" => new[] { "activation_37", "activation_152", "activation_166" },
        "senet154" => new[] { "activation_59", "activation_239", "activation_253" },
        var other => throw new ArgumentException($"Backbone ('{other}') is invalid."),
    };

    /// <inheritdoc/>
    public override (Model model, Dictionary<string, KerasTensor> layers) backbone_layers(KerasTensor inputs)
    {
        var senet = IsResNet
            ? SeResNet.Build(inputs, int.Parse(Name["seresnet".Length..], CultureInfo.InvariantCulture))
            : SeNet.Build(inputs, Name);
        var outputs = output_names.Select(n => senet.get_layer(n).output.Single()).ToList();
        var model = keras.Model(inputs, new KerasTensors(outputs), name: senet.name);
        return (model, new Dictionary<string, KerasTensor> { ["C3"] = outputs[0], ["C4"] = outputs[1], ["C5"] = outputs[2] });
    }

    /// <inheritdoc/>
    public override Model retinanet(int num_classes, KerasTensor? inputs = null, Func<Model, Model>? modifier = null,
        RetinaNetOptions? options = null) => Build(num_classes, inputs, modifier, options);
}
