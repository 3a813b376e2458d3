using System.CommandLine;
using RetinaNet.Core;
using RetinaNet.Layers;
using RetinaNet.Layers.Onnx;
using RetinaNet.Layers.Utils;

namespace RetinaNet.Train.Cli;

/// <summary>
/// <c>retinanet export MODEL.h5 OUT.onnx</c>: the inference model as a standard ONNX file (anchors, box decoding,
/// clipping and NMS in the graph; dynamic batch, height and width) for ONNX Runtime and other ONNX servers.
/// </summary>
public static class ExportCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var input = new Argument<string>("model") { Description = "The model to export (.h5): an inference model, or a training model with --from-training-model." };
        var output = new Argument<string>("output") { Description = "The ONNX file to write." };
        var backbone = new Option<string>("--backbone") { Description = "The backbone of the model (for its custom objects and preprocessing).", DefaultValueFactory = _ => "resnet50" };
        var fromTraining = new Option<bool>("--from-training-model") { Description = "Convert a training model to an inference model first (convert-model's options apply)." };
        var includePreprocessing = new Option<bool>("--include-preprocessing") { Description = "Take uint8 BGR pixels and fold the backbone's preprocessing into the graph." };
        var noNms = new Option<bool>("--no-nms") { Description = "Disables non maximum suppression (with --from-training-model)." };
        var noClassSpecific = new Option<bool>("--no-class-specific-filter") { Description = "Disables class specific filtering (with --from-training-model)." };
        var config = new Option<string?>("--config") { Description = "Anchor configuration .ini file (with --from-training-model)." };
        var nmsThreshold = new Option<double>("--nms-threshold") { Description = "Non maximum suppression threshold (with --from-training-model).", DefaultValueFactory = _ => 0.5 };
        var scoreThreshold = new Option<double>("--score-threshold") { Description = "Threshold for prefiltering boxes (with --from-training-model).", DefaultValueFactory = _ => 0.05 };
        var maxDetections = new Option<int>("--max-detections") { Description = "Maximum number of detections to keep (with --from-training-model).", DefaultValueFactory = _ => 300 };
        var opset = new Option<int>("--opset") { Description = "ONNX opset to write (13 to 17).", DefaultValueFactory = _ => 17 };
        var command = new Command("export", "Export a model to ONNX for ONNX Runtime, Triton and other ONNX runtimes.")
        {
            input, output, backbone, fromTraining, includePreprocessing, noNms, noClassSpecific, config, nmsThreshold, scoreThreshold,
            maxDetections, opset,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var path = parse.GetValue(input)!;
            var backboneName = parse.GetValue(backbone)!;
            var model = models.load_model(path, backboneName, compile: false);
            // A torchvision RetinaNet says so in its file: torchvision's normalisation, resizing inside the graph.
            var preprocessMode = ModelLoading.InputFor(model, backboneName, Utils.ImageSizing.Default).preprocess_mode;
            var isTraining = model.output_names.Contains("regression") && model.output_names.Contains("classification");
            if (isTraining && !parse.GetValue(fromTraining))
                throw new ArgumentException($"{path} is a training model (outputs regression and classification); pass --from-training-model to convert it on the way.");
            if (isTraining)
            {
                var anchors = ConfigFile.read_anchor_config(parse.GetValue(config));
                var filter = new DetectionFilter
                {
                    nms = !parse.GetValue(noNms), class_specific_filter = !parse.GetValue(noClassSpecific),
                    nms_threshold = parse.GetValue(nmsThreshold), score_threshold = parse.GetValue(scoreThreshold),
                    max_detections = parse.GetValue(maxDetections),
                };
                model = models.convert_model(model, filter, anchors);
            }
            var options = RetinaNetOnnx.Options(preprocessMode, parse.GetValue(includePreprocessing), opset: parse.GetValue(opset),
                resizes_inside: Layers.TorchVision.TorchVisionRetinaNet.RecipeOf(model) is not null);
            Core.Onnx.OnnxExporter.Export(model, parse.GetValue(output)!, options);
            Console.WriteLine($"Exported {path} to {parse.GetValue(output)} (ONNX opset {parse.GetValue(opset)}, IR {Core.Onnx.OnnxExporter.IrVersion}).");
        }));
        return command;
    }
}
