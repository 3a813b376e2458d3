#:project ../src/RetinaNet.Layers/RetinaNet.Layers.csproj
#:property PublishAot=false

// Load a keras-retinanet model (.h5 from Python's keras-retinanet, or saved here), convert a training model to an
// inference model, and run it on one image-sized input.
//
//     dotnet run samples/load_keras_retinanet.cs -- resnet50_csv_10.h5 [--image-side 512] [--save inference.h5]
using RetinaNet.Core;
using RetinaNet.Layers;
using System.Globalization;
using static TorchSharp.torch;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: dotnet run samples/load_keras_retinanet.cs -- model.h5 [--image-side N] [--save inference.h5]");
    return 1;
}
NativeRuntime.Configure();   // libtorch threads and allocator, as our programs do
var flags = args.Skip(1).Chunk(2).ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : "");

// keras-retinanet's custom_objects (its layers and losses) plus keras-resnet's BatchNormalization.
var model = keras.models.load_model(args[0], CustomObjects.WithResNet());
Console.WriteLine($"loaded '{model.name}': {model.layers.Count} layers, {model.count_params():N0} parameters, outputs {string.Join(", ", model.output_names)}");

var isTraining = model.output_names.Contains("regression") && model.output_names.Contains("classification");
var inference = isTraining ? models.convert_model(model) : model;
Console.WriteLine(isTraining ? "a training model: converted to an inference model" : "an inference model");
if (flags.GetValueOrDefault("--save") is string save)
{
    inference.save(save);
    Console.WriteLine($"inference model saved to {save}");
}

// An image at the ImageNet mean colour: zeros once preprocessed the 'caffe' way (BGR minus the means), as ResNet models expect.
var side = int.Parse(flags.GetValueOrDefault("--image-side", "512"), CultureInfo.InvariantCulture);
using var scope = NewDisposeScope();
var image = zeros(1, side, side, 3);
var outputs = inference.predict_on_batch(image);
Console.WriteLine($"boxes {Shape.Of(outputs[0])}, scores {Shape.Of(outputs[1])}, labels {Shape.Of(outputs[2])}");
return 0;
