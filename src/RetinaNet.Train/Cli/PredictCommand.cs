using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using RetinaNet.Inference;
using RetinaNet.Layers;
using RetinaNet.Train.Inference;

namespace RetinaNet.Train.Cli;

/// <summary>
/// <c>retinanet predict MODEL IMAGES…</c>: detections as JSON (boxes in original image pixels), and drawn PNGs with
/// <c>--save-path</c>.
/// </summary>
public static class PredictCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "An inference model (.h5, or .onnx from `retinanet export`); a training model needs --convert-model." };
        var images = new Argument<string[]>("images") { Description = "Image files.", Arity = ArgumentArity.OneOrMore };
        var backbone = new Option<string>("--backbone") { Description = "The backbone of the model (for its custom objects and preprocessing).", DefaultValueFactory = _ => "resnet50" };
        var classes = new Option<string?>("--classes") { Description = "CSV classes file (class_name,id) to name the labels." };
        var score = new Option<double>("--score-threshold") { Description = "Minimum score of a reported detection.", DefaultValueFactory = _ => 0.5 };
        var savePath = new Option<string?>("--save-path") { Description = "Folder for images with the detections drawn." };
        var output = new Option<string?>("--output") { Description = "Write the JSON to this file instead of the standard output." };
        var convert = new Option<bool>("--convert-model") { Description = "Convert a training model to an inference model first." };
        var config = new Option<string?>("--config") { Description = "Anchor configuration (.ini) the model was trained with (with --convert-model)." };
        var minSide = new Option<int>("--image-min-side") { Description = "Rescale the image so the smallest side is min_side.", DefaultValueFactory = _ => 800 };
        var maxSide = new Option<int>("--image-max-side") { Description = "Rescale the image if the largest side is larger than max_side.", DefaultValueFactory = _ => 1333 };
        var noResize = new Option<bool>("--no-resize") { Description = "Don't rescale the image." };
        var engine = new Option<string>("--engine") { Description = "torch (this library), onnx (ONNX Runtime, for files from `retinanet export`), or auto: onnx for a .onnx file.", DefaultValueFactory = _ => "auto" };
        engine.AcceptOnlyFromAmong("auto", "torch", "onnx");
        var command = new Command("predict", "Detect objects in images.")
        {
            model, images, backbone, classes, score, savePath, output, convert, config, minSide, maxSide, noResize, engine,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var names = parse.GetValue(classes) is string path ? ReadClassNames(path) : new Dictionary<int, string>();
            Func<int, string> labelName = l => names.GetValueOrDefault(l, l.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var modelPath = parse.GetValue(model)!;
            var useOnnx = parse.GetValue(engine) == "onnx"
                || (parse.GetValue(engine) == "auto" && modelPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase));
            using var onnx = useOnnx ? new OnnxDetector(modelPath, labelName, parse.GetValue(minSide), parse.GetValue(maxSide), parse.GetValue(noResize)) : null;
            var detector = useOnnx ? null : new Detector(ModelLoading.LoadInference(modelPath, parse.GetValue(backbone)!, parse.GetValue(convert), parse.GetValue(config)),
                labelName, models.backbone(parse.GetValue(backbone)!).preprocess_mode, parse.GetValue(minSide), parse.GetValue(maxSide), parse.GetValue(noResize));
            var results = new JsonArray();
            foreach (var image in parse.GetValue(images)!)
            {
                var found = onnx?.Detect(image, parse.GetValue(score)) ?? detector!.detect(image, parse.GetValue(score));
                results.Add(new JsonObject
                {
                    ["image"] = image,
                    ["detections"] = new JsonArray(found.Select(d => (JsonNode)new JsonObject
                    {
                        ["x1"] = d.x1, ["y1"] = d.y1, ["x2"] = d.x2, ["y2"] = d.y2, ["score"] = d.score, ["label"] = d.label, ["class"] = d.class_name,
                    }).ToArray()),
                });
                if (parse.GetValue(savePath) is string folder)
                    Detector.draw(image, found, Path.Combine(folder, Path.GetFileNameWithoutExtension(image) + ".png"));
            }
            var json = results.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
            if (parse.GetValue(output) is string file) File.WriteAllText(file, json);
            else Console.WriteLine(json);
        }));
        return command;
    }

    static Dictionary<int, string> ReadClassNames(string path) =>
        Preprocessing.CsvGenerator.read_classes(path).ToDictionary(p => p.Value, p => p.Key);
}
