using System.CommandLine;
using RetinaNet.Core;
using RetinaNet.Train.Cli;

namespace RetinaNet.Train;

/// <summary>Entry point of the <c>retinanet</c> program.</summary>
public static class Program
{
    /// <summary>Runs the command line.</summary>
    public static int Main(string[] args)
    {
        NativeRuntime.Configure();
        var root = new RootCommand("RetinaNet for .NET: train, evaluate and run keras-retinanet object detectors.")
        {
            DemoCommand.Create(),
            TrainCommand.Create(),
            EvaluateCommand.Create(),
            DiagnoseCommand.Create(),
            PredictCommand.Create(),
            ConvertModelCommand.Create(),
            ConvertTorchVisionCommand.Create(),
            ExportCommand.Create(),
            DebugCommand.Create(),
            InspectCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }
}
