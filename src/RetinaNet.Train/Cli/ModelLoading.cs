using RetinaNet.Core;
using RetinaNet.Layers;
using RetinaNet.Layers.TorchVision;
using RetinaNet.Layers.Utils;
using RetinaNet.Train.Utils;

namespace RetinaNet.Train.Cli;

/// <summary>Loads an inference model for evaluate/predict, converting a training snapshot when asked.</summary>
public static class ModelLoading
{
    /// <summary>
    /// The inference model in <paramref name="path"/>; a training model is converted with <paramref name="convert"/>,
    /// otherwise refused with keras-retinanet's advice. A torchvision RetinaNet is converted with torchvision's
    /// transform and post-processing, resizing to <paramref name="sizing"/>'s sides (800/1333 unless asked otherwise).
    /// </summary>
    public static Model LoadInference(string path, string backbone, bool convert, string? config, ImageSizing? sizing = null)
    {
        var model = models.load_model(path, backbone, compile: false);
        var isTraining = model.output_names.Contains("regression") && model.output_names.Contains("classification");
        if (isTraining && !convert)
            throw new ArgumentException(
                $"{path} is a training model (outputs regression and classification). Convert it first with " +
                "`retinanet convert-model IN OUT`, or pass --convert-model.");
        if (!isTraining) return model;
        if (TorchVisionRetinaNet.RecipeOf(model) is not null)
        {
            sizing ??= ImageSizing.Default;
            if (sizing.no_resize)
                throw new ArgumentException($"--no-resize: {path} is a torchvision RetinaNet, which resizes inside the model (set --image-min-side/--image-max-side instead).");
            return TorchVisionRetinaNet.inference_model(model, DetectionFilter.Default, new TorchVisionTransform(sizing.min_side, sizing.max_side));
        }
        var anchors = ConfigFile.read_anchor_config(config);
        // keras-retinanet's evaluate converts with the default filter (its prefilter threshold, 0.05).
        return models.convert_model(model, DetectionFilter.Default, anchors);
    }

    /// <summary>
    /// How images are prepared for a loaded model: the backbone's normalisation and <paramref name="sizing"/>; a
    /// torchvision RetinaNet (its file says so) takes torchvision's normalisation ('torch') at the image's own size,
    /// since its inference model resizes as torchvision does.
    /// </summary>
    public static (string preprocess_mode, ImageSizing sizing) InputFor(Model model, string backbone, ImageSizing sizing) =>
        TorchVisionRetinaNet.RecipeOf(model) is not null
            ? ("torchvision", new ImageSizing(sizing.min_side, sizing.max_side, no_resize: true))
            : (models.backbone(backbone).preprocess_mode, sizing);
}
