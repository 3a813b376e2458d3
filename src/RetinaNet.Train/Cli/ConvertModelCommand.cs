using System.CommandLine;
using RetinaNet.Layers;
using RetinaNet.Layers.Utils;

namespace RetinaNet.Train.Cli;

/// <summary><c>retinanet convert-model IN OUT</c>: a training snapshot to an inference model (keras-retinanet's script).</summary>
public static class ConvertModelCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var input = new Argument<string>("model_in") { Description = "The model you want to convert." };
        var output = new Argument<string>("model_out") { Description = "Path to save the converted model to." };
        var backbone = new Option<string>("--backbone") { Description = "The backbone of the model to convert.", DefaultValueFactory = _ => "resnet50" };
        var noNms = new Option<bool>("--no-nms") { Description = "Disables non maximum suppression." };
        var noClassSpecific = new Option<bool>("--no-class-specific-filter") { Description = "Disables class specific filtering." };
        var config = new Option<string?>("--config") { Description = "Path to a configuration parameters .ini file." };
        var defaults = DetectionFilter.Default;
        var nmsThreshold = new Option<double>("--nms-threshold") { Description = "Value for non maximum suppression threshold.", DefaultValueFactory = _ => defaults.nms_threshold };
        var prefilterThreshold = new Option<double>("--score-threshold")
        {
            Description = "Threshold for prefiltering boxes: the FilterDetections layer saved in the model keeps only scores above it.",
            DefaultValueFactory = _ => defaults.score_threshold,
        };
        var maxDetections = new Option<int>("--max-detections") { Description = "Maximum number of detections to keep.", DefaultValueFactory = _ => defaults.max_detections };
        var parallel = new Option<int>("--parallel-iterations") { Description = "Kept for compatibility (images are filtered one after another).", DefaultValueFactory = _ => defaults.parallel_iterations };
        var command = new Command("convert-model", "Script for converting a training model to an inference model.")
        {
            input, output, backbone, noNms, noClassSpecific, config, nmsThreshold, prefilterThreshold, maxDetections, parallel,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            if (SamePath(parse.GetValue(input)!, parse.GetValue(output)!))
                throw new ArgumentException($"convert-model would overwrite its input '{parse.GetValue(input)}' with the inference model; choose another output path.");
            var anchors = ConfigFile.read_anchor_config(parse.GetValue(config));
            var model = models.load_model(parse.GetValue(input)!, parse.GetValue(backbone)!, compile: false);
            models.assert_training_model(model);
            var filter = new DetectionFilter
            {
                nms = !parse.GetValue(noNms), class_specific_filter = !parse.GetValue(noClassSpecific),
                nms_threshold = parse.GetValue(nmsThreshold), score_threshold = parse.GetValue(prefilterThreshold),
                max_detections = parse.GetValue(maxDetections), parallel_iterations = parse.GetValue(parallel),
            };
            var converted = models.convert_model(model, filter, anchors);
            converted.save(parse.GetValue(output)!);
            Console.WriteLine($"Saved the inference model to {parse.GetValue(output)}");
        }));
        return command;
    }

    /// <summary>True when both paths name one file (after resolving relative parts and symbolic links).</summary>
    static bool SamePath(string a, string b)
    {
        static string Resolve(string p)
        {
            var full = Path.GetFullPath(p);
            return File.Exists(full) && new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true) is FileSystemInfo target ? target.FullName : full;
        }
        return string.Equals(Resolve(a), Resolve(b), StringComparison.Ordinal);
    }
}
