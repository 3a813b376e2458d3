using RetinaNet.Core;
using RetinaNet.Layers;
using RetinaNet.Layers.Utils;

namespace RetinaNet.Train.Cli;

/// <summary>Loads an inference model for evaluate/predict, converting a training snapshot when asked.</summary>
public static class ModelLoading
{
    /// <summary>
    /// The inference model in <paramref name="path"/>; a training model is converted with <paramref name="convert"/>,
    /// otherwise refused with keras-retinanet's advice.
    /// </summary>
    public static Model LoadInference(string path, string backbone, bool convert, string? config)
    {
        var model = models.load_model(path, backbone, compile: false);
        var isTraining = model.output_names.Contains("regression") && model.output_names.Contains("classification");
        if (isTraining && !convert)
            throw new ArgumentException(
                $"{path} is a training model (outputs regression and classification). Convert it first with " +
                "`retinanet convert-model IN OUT`, or pass --convert-model.");
        if (!isTraining) return model;
        var anchors = ConfigFile.read_anchor_config(config);
        // keras-retinanet's evaluate converts with the default filter (its prefilter threshold, 0.05).
        return models.convert_model(model, DetectionFilter.Default, anchors);
    }
}
