namespace RetinaNet.Layers;

/// <summary>
/// keras-retinanet's <c>custom_objects</c>: every class its saved models name that plain Keras lacks. Pass it to
/// <c>keras.models.load_model</c>; ResNet models also need keras-resnet's <c>BatchNormalization</c>
/// (<see cref="WithResNet"/>, or use <c>models.load_model</c> with the backbone name).
/// </summary>
public static class CustomObjects
{
    /// <summary>
    /// A fresh dictionary with keras-retinanet's keys, plus the layers of torchvision RetinaNets
    /// (<c>retinanet convert-torchvision</c>), so their files load like any other model of ours.
    /// </summary>
    public static Dictionary<string, object> Create() => new()
    {
        ["UpsampleLike"] = typeof(UpsampleLike),
        ["PriorProbability"] = typeof(PriorProbability),
        ["RegressBoxes"] = typeof(RegressBoxes),
        ["FilterDetections"] = typeof(FilterDetections),
        ["Anchors"] = typeof(Anchors),
        ["ClipBoxes"] = typeof(ClipBoxes),
        ["_smooth_l1"] = new SmoothL1(),
        ["_focal"] = new Focal(),
        ["_giou"] = new Giou(),
        [nameof(TorchVision.TorchVisionInput)] = typeof(TorchVision.TorchVisionInput),
        [nameof(TorchVision.TorchVisionResize)] = typeof(TorchVision.TorchVisionResize),
        [nameof(TorchVision.TorchVisionCandidates)] = typeof(TorchVision.TorchVisionCandidates),
        [nameof(TorchVision.TorchVisionRescaleBoxes)] = typeof(TorchVision.TorchVisionRescaleBoxes),
        ["_torchvision_focal"] = new TorchVision.TorchVisionFocal(),
        ["_torchvision_l1"] = new TorchVision.TorchVisionBoxLoss("l1"),
        ["_torchvision_giou"] = new TorchVision.TorchVisionBoxLoss("giou"),
    };

    /// <summary>keras-retinanet's dictionary plus keras-resnet's frozen <c>BatchNormalization</c>.</summary>
    public static Dictionary<string, object> WithResNet()
    {
        var objects = Create();
        objects["BatchNormalization"] = typeof(ResNetBatchNormalization);
        return objects;
    }
}
