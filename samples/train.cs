#:project ../src/RetinaNet.Train/RetinaNet.Train.csproj
#:property PublishAot=false

// Train a RetinaNet on a keras-retinanet CSV dataset and save the inference model.
//
//     dotnet run samples/train.cs -- annotations.csv classes.csv output/ [--backbone resnet18_16] [--epochs 10]
//         [--steps 100] [--batch-size 2] [--image-side 512] [--feature-size 64] [--lr 1e-3]
//
// annotations.csv has one object per line, `path/to/image.jpg,x1,y1,x2,y2,class_name` (an image without objects:
// `path/to/image.jpg,,,,,`); classes.csv has `class_name,id` lines. Paths are relative to the annotations file.
// The same training as `retinanet train csv …`; see samples/detect.cs for using the saved model.
using System.Globalization;
using RetinaNet.Core;
using RetinaNet.Train.Preprocessing;
using RetinaNet.Train.Training;
using RetinaNet.Train.Utils;

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: dotnet run samples/train.cs -- annotations.csv classes.csv output/ [--backbone NAME] [--epochs N] [--steps N] [--batch-size N] [--image-side N] [--feature-size N] [--lr X]");
    return 1;
}
NativeRuntime.Configure();   // libtorch threads and allocator, as our programs do
var (annotations, classes, output) = (args[0], args[1], args[2]);
var flags = args.Skip(3).Chunk(2).ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : "");
int Number(string name, int fallback) => int.Parse(flags.GetValueOrDefault("--" + name, fallback.ToString()), CultureInfo.InvariantCulture);
var backboneName = flags.GetValueOrDefault("--backbone", "resnet18_16");
var (epochs, steps, batchSize) = (Number("epochs", 10), Number("steps", 100), Number("batch-size", 2));
var (side, featureSize) = (Number("image-side", 512), Number("feature-size", 64));
var lr = double.Parse(flags.GetValueOrDefault("--lr", "1e-3"), CultureInfo.InvariantCulture);
Directory.CreateDirectory(output);

var options = new TrainingOptions
{
    backbone = backboneName, epochs = epochs, steps = steps, batch_size = batchSize, lr = lr,
    image_sizing = new ImageSizing(side, side), feature_size = featureSize, seed = 1,
    snapshot_path = output, no_evaluation = true,   // a training snapshot per epoch, as keras-retinanet writes them
};
var session = new TrainingSession(options);   // the backbone, anchors and generator settings of `retinanet train`
var data = new CsvGenerator(annotations, classes, options: session.generator_options(training: true));
Console.WriteLine($"{data.size()} images, {data.num_classes()} classes; training {backboneName} for {epochs} epochs of {steps} steps");
var result = session.train(data, validation_generator: null);
var modelPath = Path.Combine(output, "inference.h5");
result.models.prediction_model.save(modelPath);

Console.WriteLine($"final loss {result.history.history["loss"][^1]:0.####} after {result.seconds:0.0} s");
Console.WriteLine($"inference model saved to {modelPath}");
return 0;
