using System.CommandLine;
using RetinaNet.Layers.TorchVision;
using RetinaNet.Train.Utils;

namespace RetinaNet.Train.Cli;

/// <summary>
/// <c>retinanet convert-torchvision model.pth out.h5 --variant v1|v2 --num-classes N</c>: a torchvision RetinaNet
/// checkpoint (state_dict .pth/.pt or .safetensors; read without running any of its code) to a Keras .h5 of ours.
/// </summary>
public static class ConvertTorchVisionCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var input = new Argument<string>("checkpoint") { Description = "torchvision RetinaNet state_dict (.pth, .pt or .safetensors)." };
        var output = new Argument<string>("model_out") { Description = "Path of the Keras .h5 model to write." };
        var variant = new Option<string?>("--variant") { Description = "v1 (retinanet_resnet50_fpn) or v2 (retinanet_resnet50_fpn_v2); read from the file when omitted." };
        var classes = new Option<int?>("--num-classes") { Description = "Classes of the head (checked against the file; read from it when omitted)." };
        var command = new Command("convert-torchvision", "Convert a torchvision RetinaNet (v1 or v2) checkpoint to a Keras .h5 training model.")
        {
            input, output, variant, classes,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var parsed = parse.GetValue(variant) is string v ? TorchVisionVariants.Parse(v) : (TorchVisionVariant?)null;
            var model = TorchVisionWeights.LoadModel(parse.GetValue(input)!, parsed, parse.GetValue(classes));
            AtomicFile.Write(parse.GetValue(output)!, temp => model.save(temp));
            Console.WriteLine($"Saved {model.name} to {parse.GetValue(output)}");
        }));
        return command;
    }
}
