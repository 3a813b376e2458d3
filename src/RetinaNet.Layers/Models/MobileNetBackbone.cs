using RetinaNet.Layers.Utils;
using System.Globalization;
using RetinaNet.Core;

namespace RetinaNet.Layers;

/// <summary>
/// keras-retinanet's MobileNet backbones, named <c>mobilenet{128|160|192|224}_{alpha}</c> (e.g. <c>mobilenet224_1.0</c>);
/// C3–C5 are <c>conv_pw_5_relu</c>, <c>conv_pw_11_relu</c>, <c>conv_pw_13_relu</c>; <c>tf</c> preprocessing.
/// The light backbone for CPU work.
/// </summary>
public sealed class MobileNetBackbone : Backbone
{
    /// <summary>Creates the backbone; throws for unknown names.</summary>
    public MobileNetBackbone(string backbone = "mobilenet224_1.0") : base(backbone) { }

    static readonly string[] allowed = { "mobilenet128", "mobilenet160", "mobilenet192", "mobilenet224" };

    /// <inheritdoc/>
    public override string preprocess_mode => "tf";

    /// <summary>Width multiplier from the name (<c>_1.0</c> → 1.0).</summary>
    public double alpha => double.Parse(backbone.Split('_')[1], CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public override void validate()
    {
        var parts = backbone.Split('_');
        if (!allowed.Contains(parts[0]))
            throw new ArgumentException($"Backbone ('{parts[0]}') not in allowed backbones ([{string.Join(", ", allowed.Select(a => $"'{a}'"))}]).");
        if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var a) || a <= 0)
            throw new ArgumentException($"Backbone ('{backbone}') needs a width multiplier after '_', e.g. mobilenet224_1.0.");
    }

    /// <inheritdoc/>
    public override (Model model, Dictionary<string, KerasTensor> layers) backbone_layers(KerasTensor inputs)
    {
        var mobilenet = MobileNet.Build(inputs, alpha);
        var names = new[] { "conv_pw_5_relu", "conv_pw_11_relu", "conv_pw_13_relu" };
        var outputs = names.Select(n => mobilenet.get_layer(n).output.Single()).ToList();
        var model = keras.Model(inputs, new KerasTensors(outputs), name: mobilenet.name);
        return (model, new Dictionary<string, KerasTensor> { ["C3"] = outputs[0], ["C4"] = outputs[1], ["C5"] = outputs[2] });
    }

    /// <inheritdoc/>
    public override Model retinanet(int num_classes, KerasTensor? inputs = null, Func<Model, Model>? modifier = null,
        RetinaNetOptions? options = null) => Build(num_classes, inputs, modifier, options);
}
