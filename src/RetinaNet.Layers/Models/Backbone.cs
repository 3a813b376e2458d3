using RetinaNet.Layers.Utils;
using RetinaNet.Core;

namespace RetinaNet.Layers;

/// <summary>
/// A backbone family as a plug-in (keras-retinanet's <c>Backbone</c>): it validates its name, builds the
/// RetinaNet training model on top of its feature maps, says how images are preprocessed, and carries the
/// <c>custom_objects</c> needed to load its models.
/// </summary>
public abstract class Backbone
{
    /// <summary>Validates the name and prepares <see cref="custom_objects"/>.</summary>
    protected Backbone(string backbone)
    {
        this.backbone = backbone;
        validate();
        custom_objects = CustomObjects.Create();
    }

    /// <summary>The backbone name, e.g. <c>resnet50</c> or <c>mobilenet224_1.0</c>.</summary>
    public string backbone { get; }

    /// <summary>Class name → type for loading this backbone's models (keras-retinanet's dictionary).</summary>
    public Dictionary<string, object> custom_objects { get; }

    /// <summary>Image preprocessing mode: <c>caffe</c> or <c>tf</c>.</summary>
    public abstract string preprocess_mode { get; }

    /// <summary>Throws if <see cref="backbone"/> is not a name this family knows.</summary>
    public abstract void validate();

    /// <summary>Builds the training model (outputs <c>regression</c> and <c>classification</c>).</summary>
    /// <param name="num_classes">Number of object classes.</param>
    /// <param name="inputs">Image input; default <c>keras.Input((None, None, 3))</c>.</param>
    /// <param name="modifier">Applied to the backbone model, e.g. <see cref="ModelModifiers.freeze"/>.</param>
    /// <param name="options">Further arguments of <c>retinanet(...)</c>.</param>
    public abstract Model retinanet(int num_classes, KerasTensor? inputs = null, Func<Model, Model>? modifier = null,
        RetinaNetOptions? options = null);

    /// <summary>Builds the feature extractor alone: a model from the image to its C-layers (C3, C4, C5, and C2 where it exists).</summary>
    public abstract (Model model, Dictionary<string, KerasTensor> layers) backbone_layers(KerasTensor inputs);

    /// <summary>The default image input of keras-retinanet: <c>(None, None, 3)</c>.</summary>
    protected static KerasTensor DefaultInputs() => keras.Input(new Shape(null, null, 3));

    /// <summary>Shared tail of <see cref="retinanet"/>: applies the modifier and builds the detector on the C-layers.</summary>
    protected Model Build(int num_classes, KerasTensor? inputs, Func<Model, Model>? modifier, RetinaNetOptions? options)
    {
        inputs ??= DefaultInputs();
        var (model, layers) = backbone_layers(inputs);
        if (modifier is not null) modifier(model);
        return RetinaNetBuilder.retinanet(inputs, layers, num_classes, options ?? new RetinaNetOptions());
    }
}

/// <summary>Modifiers applied to a backbone model (keras-retinanet's <c>utils.model</c>).</summary>
public static class ModelModifiers
{
    /// <summary>Sets every layer of the model to non-trainable (<c>--freeze-backbone</c>).</summary>
    public static Model freeze(Model model)
    {
        foreach (var layer in model.layers) layer.trainable = false;
        return model;
    }
}
