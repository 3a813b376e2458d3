using System.Globalization;
using RetinaNet.Core;
using RetinaNet.Layers;
using RetinaNet.Train.Demo;
using static TorchSharp.torch;

namespace GcStorm;

/// <summary>
/// The <c>retinanet</c> program (every argument list is passed to it unchanged), plus one extra command for the
/// storm runs: <c>save-load MODEL.h5 CYCLES SIZE</c> loads the model, then CYCLES times saves it, loads it back and
/// predicts on one fixed input, and fails (exit 3) unless every output is bit-identical to the first load's;
/// <c>make-shapes FOLDER COUNT</c> writes the demo's shapes data (256x256) as keras-retinanet CSV.
/// Run under the storm with <c>DOTNET_STARTUP_HOOKS</c> set to this assembly (see StartupHook.cs).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 3 && args[0] == "make-shapes")
        {
            // The demo's data: shapes at 256x256 as keras-retinanet CSV (FOLDER/train.csv, FOLDER/classes.csv).
            ShapesDataset.WriteCsv(args[1], "train", int.Parse(args[2], CultureInfo.InvariantCulture), seed: 0, size: 256);
            ShapesDataset.WriteClasses(args[1]);
            return 0;
        }
        if (args.Length == 4 && args[0] == "save-load")
            return SaveLoad(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture));
        return RetinaNet.Train.Program.Main(args);
    }

    static int SaveLoad(string path, int cycles, int size)
    {
        NativeRuntime.Configure();
        var customObjects = CustomObjects.WithResNet();
        var folder = Directory.CreateTempSubdirectory("gc-storm-save-load").FullName;
        try
        {
            using var input = rand(new long[] { 1, size, size, 3 }, generator: new Generator(7)).mul(HeldScalar.Of(255));
            var reference = Outputs(keras.models.load_model(path, customObjects), input);
            var current = path;
            for (int cycle = 1; cycle <= cycles; cycle++)
            {
                var model = keras.models.load_model(current, customObjects);
                current = Path.Combine(folder, $"cycle{cycle % 2}.h5");
                model.save(current);
                var outputs = Outputs(keras.models.load_model(current, customObjects), input);
                for (int i = 0; i < reference.Count; i++)
                {
                    if (!reference[i].SequenceEqual(outputs[i]))
                    {
                        Console.Error.WriteLine($"save-load cycle {cycle}: output {i} differs from the first load's.");
                        return 3;
                    }
                }
            }
            Console.WriteLine($"save-load: {cycles} cycles, outputs bit-identical ({reference.Sum(o => o.Length)} values).");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    static List<float[]> Outputs(Model model, Tensor input)
    {
        using var scope = NewDisposeScope();
        return model.predict_on_batch(input).Select(t => t.to_type(ScalarType.Float32).contiguous().data<float>().ToArray()).ToList();
    }
}
