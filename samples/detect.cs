#:project ../src/RetinaNet.Train/RetinaNet.Train.csproj
#:property PublishAot=false

// Detect objects in images with a saved RetinaNet model (.h5, trained here or in Python with keras-retinanet).
//
//     dotnet run samples/detect.cs -- model.h5 image.jpg [more images] [--classes classes.csv]
//         [--image-side 800] [--score-threshold 0.5] [--save-path drawn/]
//
// A training model (snapshot) is converted to an inference model first, as `retinanet predict --convert-model`.
using RetinaNet.Core;
using RetinaNet.Layers;
using RetinaNet.Train.Inference;
using RetinaNet.Train.Preprocessing;
using RetinaNet.Train.Utils;
using System.Globalization;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: dotnet run samples/detect.cs -- model.h5 image.jpg [more images] [--classes classes.csv] [--image-side N] [--score-threshold X] [--save-path folder]");
    return 1;
}
NativeRuntime.Configure();   // libtorch threads and allocator, as our programs do
var positional = args.TakeWhile(a => !a.StartsWith("--")).ToList();
var flags = args.Skip(positional.Count).Chunk(2).ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : "");
var (modelPath, images) = (positional[0], positional.Skip(1).ToList());
var classesPath = flags.GetValueOrDefault("--classes");
var side = int.Parse(flags.GetValueOrDefault("--image-side", "800"), CultureInfo.InvariantCulture);
var threshold = double.Parse(flags.GetValueOrDefault("--score-threshold", "0.5"), CultureInfo.InvariantCulture);
var savePath = flags.GetValueOrDefault("--save-path");

var model = keras.models.load_model(modelPath, CustomObjects.WithResNet(), compile: false);
if (model.outputs.Count < 3) model = models.convert_model(model);   // a training snapshot -> inference model
var names = classesPath is null ? new Dictionary<int, string>()
    : CsvGenerator.read_classes(classesPath).ToDictionary(pair => pair.Value, pair => pair.Key);
var detector = new Detector(model, label => names.GetValueOrDefault(label, $"class {label}"),
    image_sizing: new ImageSizing(side, side));

foreach (var image in images)
{
    var found = detector.detect(image, min_score: threshold);
    Console.WriteLine($"{image}: {found.Count} objects");
    foreach (var d in found)
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {d.class_name} {d.score:0.000} at ({d.x1:0}, {d.y1:0}, {d.x2:0}, {d.y2:0})"));
    if (savePath is not null)
    {
        Directory.CreateDirectory(savePath);
        var drawn = Path.Combine(savePath, Path.GetFileNameWithoutExtension(image) + ".png");
        Detector.draw(image, found, drawn);
        Console.WriteLine($"  drawn to {drawn}");
    }
}
return 0;
