using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using RetinaNet.Inference;
using RetinaNet.Layers;
using RetinaNet.Train.Inference;
using RetinaNet.Train.Utils;

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
        var minScore = new Option<double>("--score-threshold")
        {
            Description = "Minimum score of a reported detection (applied to the model's detections; the model's own prefilter is convert-model's --score-threshold).",
            DefaultValueFactory = _ => 0.5,
        };
        var savePath = new Option<string?>("--save-path") { Description = "Folder for images with the detections drawn." };
        var output = new Option<string?>("--output") { Description = "Write the JSON to this file instead of the standard output." };
        var convert = new Option<bool>("--convert-model") { Description = "Convert a training model to an inference model first." };
        var config = new Option<string?>("--config") { Description = "Anchor configuration (.ini) the model was trained with (with --convert-model)." };
        var sizing = new ImageSizingOptions();
        var engine = new Option<string>("--engine") { Description = "torch (this library), onnx (ONNX Runtime, for files from `retinanet export`), or auto: onnx for a .onnx file.", DefaultValueFactory = _ => "auto" };
        engine.AcceptOnlyFromAmong("auto", "torch", "onnx");
        var precision = PrecisionOption.Create();
        var batchSize = BatchSizeOption.Create();
        var command = new Command("predict", "Detect objects in images.")
        {
            model, images, backbone, classes, minScore, savePath, output, convert, config, engine, precision, batchSize,
        };
        foreach (var option in sizing.Options) command.Options.Add(option);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var batch = BatchSizeOption.Get(parse, batchSize);
            var names = parse.GetValue(classes) is string path ? ReadClassNames(path) : new Dictionary<int, string>();
            Func<int, string> labelName = l => names.GetValueOrDefault(l, l.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var modelPath = parse.GetValue(model)!;
            var imageSizing = sizing.Bind(parse);
            var useOnnx = parse.GetValue(engine) == "onnx"
                || (parse.GetValue(engine) == "auto" && modelPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase));
            if (useOnnx && parse.GetValue(precision) != "fp32")
                throw new ArgumentException($"--precision {parse.GetValue(precision)} applies to the torch engine; {modelPath} runs on ONNX Runtime (--engine torch with an .h5 model).");
            using var onnx = useOnnx ? new OnnxDetector(modelPath, labelName, imageSizing.min_side, imageSizing.max_side, imageSizing.no_resize) : null;
            var network = useOnnx ? null : ModelLoading.LoadInference(modelPath, parse.GetValue(backbone)!, parse.GetValue(convert), parse.GetValue(config), imageSizing);
            var (preprocessMode, networkSizing) = network is null ? ("", imageSizing) : ModelLoading.InputFor(network, parse.GetValue(backbone)!, imageSizing);
            var detector = network is null ? null : new Detector(network, labelName, preprocessMode, networkSizing);
            if (detector is not null) detector.dtype_policy = RetinaNet.Core.BFloat16Support.Resolve(parse.GetValue(precision)!);
            var paths = parse.GetValue(images)!;
            if (onnx is not null && batch != 1)
                throw new ArgumentException($"--batch-size applies to the torch engine; {modelPath} runs on ONNX Runtime one image at a time.");
            var drawings = DrawingNames(paths);
            var entries = new JsonObject?[paths.Length];
            var failed = 0;
            var score = parse.GetValue(minScore);
            IEnumerable<(int index, List<DetectedObject>? found, Exception? error)> Detections() => onnx is not null
                ? paths.Select((image, i) => OnnxDetect(onnx, image, i, score))
                : BatchedPrediction.Run(detector!, paths.Length, i => ImageIO.read_image_bgr(paths[i]), batch)
                    .Select(r => (r.index, r.output is null ? null : detector!.detections(r.output, score), r.error));
            foreach (var (i, found, error) in Detections())
            {
                var image = paths[i];
                if (error is not null)
                {
                    // One unreadable image must not cost the others: report it and go on; the exit code says so.
                    if (!IsUnreadableImage(error))
                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
                    Console.Error.WriteLine($"error: {error.Message}");
                    entries[i] = new JsonObject { ["image"] = image, ["error"] = error.Message };
                    failed++;
                    continue;
                }
                entries[i] = new JsonObject
                {
                    ["image"] = image,
                    ["detections"] = new JsonArray(found!.Select(d => (JsonNode)new JsonObject
                    {
                        ["x1"] = d.x1, ["y1"] = d.y1, ["x2"] = d.x2, ["y2"] = d.y2, ["score"] = d.score, ["label"] = d.label, ["class"] = d.class_name,
                    }).ToArray()),
                };
                if (parse.GetValue(savePath) is string folder)
                    Detector.draw(image, found!, Path.Combine(folder, drawings[i]));
            }
            var results = new JsonArray(entries.Select(e => (JsonNode?)e).ToArray());
            var json = results.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
            if (parse.GetValue(output) is string file) Utils.AtomicFile.WriteAllText(file, json);
            else Console.WriteLine(json);
            if (failed > 0) Console.Error.WriteLine($"{failed} of {paths.Length} images could not be read.");
            return failed > 0 ? 1 : 0;
        }));
        return command;
    }

    /// <summary>
    /// The PNG name for each input's drawing: its file name, and for inputs whose names collide (a/img.jpg, b/img.jpg)
    /// the name with the input's position appended (img.png, img-2.png), so no drawing overwrites another.
    /// </summary>
    public static string[] DrawingNames(IReadOnlyList<string> images)
    {
        var stems = images.Select(Path.GetFileNameWithoutExtension).ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return stems.Select((stem, i) => seen.Add(stem!) ? $"{stem}.png" : $"{stem}-{i + 1}.png").ToArray();
    }

    static (int, List<DetectedObject>?, Exception?) OnnxDetect(OnnxDetector onnx, string image, int index, double minScore)
    {
        try
        {
            return (index, onnx.Detect(image, minScore), null);
        }
        catch (Exception e) when (IsUnreadableImage(e))
        {
            return (index, null, e);
        }
    }

    /// <summary>An error that concerns one input image (reported, the others go on), not the run.</summary>
    static bool IsUnreadableImage(Exception e) =>
        e is InvalidDataException or UnauthorizedAccessException or IOException; // IOException covers file and folder not found

    static Dictionary<int, string> ReadClassNames(string path) =>
        Preprocessing.CsvGenerator.read_classes(path).ToDictionary(p => p.Value, p => p.Key);
}
