using RetinaNet.Core;

namespace RetinaNet.Layers;

/// <summary>
/// keras-retinanet's EfficientNet backbones <c>EfficientNetB0</c> … <c>EfficientNetB7</c> over the efficientnet
/// package (<see cref="EfficientNet"/>): C3–C5 are <c>block4a_expand_activation</c>, <c>block6a_expand_activation</c>,
/// <c>top_activation</c> (no C2); the backbone model (what <c>--freeze-backbone</c> freezes) ends at those layers, named
/// <c>efficientnet-b{n}</c>. Preprocessing is <c>efn.preprocess_input</c>, keras_applications' <c>torch</c> mode.
/// Every stride-2 layer pads "same", so level sizes are ceil(dim / 2^level) and the guessed anchor shapes line up.
/// The custom objects add what the package registers with Keras: <c>swish</c> and <see cref="FixedDropout"/>.
/// </summary>
public sealed class EfficientNetBackbone : Backbone
{
    /// <summary>Creates the backbone; throws for unknown names.</summary>
    public EfficientNetBackbone(string backbone = "EfficientNetB0") : base(backbone)
    {
        custom_objects["swish"] = Activations.Get("swish");
        custom_objects["FixedDropout"] = typeof(FixedDropout);
    }

    static readonly string[] allowed = Enumerable.Range(0, 8).Select(n => $"EfficientNetB{n}").ToArray();

    /// <inheritdoc/>
    public override string preprocess_mode => "torch";

    /// <summary>0 … 7.</summary>
    public int variant => backbone.Split('_')[0][^1] - '0';

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
        var effnet = EfficientNet.Build(inputs, variant);
        var outputs = EfficientNet.OutputNames.Select(n => effnet.get_layer(n).output.Single()).ToList();
        var model = keras.Model(inputs, new KerasTensors(outputs), name: effnet.name);
        return (model, new Dictionary<string, KerasTensor> { ["C3"] = outputs[0], ["C4"] = outputs[1], ["C5"] = outputs[2] });
    }

    /// <inheritdoc/>
    public override Model retinanet(int num_classes, KerasTensor? inputs = null, Func<Model, Model>? modifier = null,
        RetinaNetOptions? options = null) => Build(num_classes, inputs, modifier, options);
}
