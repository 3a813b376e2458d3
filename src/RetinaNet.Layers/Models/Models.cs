using RetinaNet.Layers.Utils;
using RetinaNet.Core;

namespace RetinaNet.Layers;

/// <summary>
/// keras-retinanet's <c>models</c> module: backbone dispatch, <c>load_model</c>, <c>convert_model</c>.
/// </summary>
public static class models
{
    /// <summary>
    /// The backbone family for a name, by substring as keras-retinanet dispatches (<c>densenet</c>, <c>resnet</c>, <c>mobilenet</c>, <c>vgg</c>, <c>EfficientNet</c>).
    /// </summary>
    public static Backbone backbone(string backbone_name)
    {
        if (backbone_name.Contains("densenet")) return new DenseNetBackbone(backbone_name);
        if (backbone_name.Contains("seresnext") || backbone_name.Contains("seresnet") || backbone_name.Contains("senet")) return new SeBackbone(backbone_name);
        if (backbone_name.Contains("resnet")) return new ResNetBackbone(backbone_name);
        if (backbone_name.Contains("mobilenet")) return new MobileNetBackbone(backbone_name);
        if (backbone_name.Contains("vgg")) return new VggBackbone(backbone_name);
        if (backbone_name.Contains("EfficientNet")) return new EfficientNetBackbone(backbone_name);
        throw new NotSupportedException($"Backbone class for '{backbone_name}' not implemented (available: resnet18/34/50/101/152, " +
            "mobilenet{128,160,192,224}_{alpha}, vgg16/19, densenet121/169/201, seresnet18/34/50/101/152, seresnext50/101, senet154, EfficientNetB0-B7).");
    }

    /// <summary>Loads a RetinaNet <c>.h5</c> with the backbone's <c>custom_objects</c>.</summary>
    public static Model load_model(string filepath, string backbone_name = "resnet50", bool compile = true) =>
        keras.models.load_model(filepath, custom_objects: backbone(backbone_name).custom_objects, compile: compile);

    /// <summary>
    /// Turns a training model into an inference model (<c>RetinaNetBuilder.retinanet_bbox</c>),
    /// with keras-retinanet's arguments (<c>anchor_params</c> and <c>pyramid_levels</c> as one <see cref="AnchorConfig"/>);
    /// a filter setting left out takes <see cref="DetectionFilter"/>'s default.
    /// </summary>
    public static Model convert_model(Model model, bool? nms = null, bool? class_specific_filter = null,
        AnchorConfig? anchor_config = null, double? nms_threshold = null,
        double? score_threshold = null, int? max_detections = null, int? parallel_iterations = null) =>
        convert_model(model, DetectionFilter.Of(nms, class_specific_filter, nms_threshold, score_threshold, max_detections,
            parallel_iterations), anchor_config);

    /// <summary>
    /// Turns a training model into an inference model that filters detections with <paramref name="filter"/>; a
    /// torchvision RetinaNet (<c>convert-torchvision</c>) gets torchvision's resize, anchors, box coder and
    /// post-processing instead (<see cref="TorchVision.TorchVisionRetinaNet.inference_model"/>; the anchor config does not apply).
    /// </summary>
    public static Model convert_model(Model model, DetectionFilter filter, AnchorConfig? anchor_config = null) =>
        TorchVision.TorchVisionRetinaNet.RecipeOf(model) is not null
            ? TorchVision.TorchVisionRetinaNet.inference_model(model, filter)
            : RetinaNetBuilder.retinanet_bbox(model, filter, anchor_config);

    /// <summary>Throws unless the model has <c>regression</c> and <c>classification</c> outputs.</summary>
    public static void assert_training_model(Model model) => RetinaNetBuilder.assert_training_model(model);
}
