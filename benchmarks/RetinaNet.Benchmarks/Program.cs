using System.Diagnostics;
using System.Globalization;
using RetinaNet.Core;
using RetinaNet.Layers;
using static TorchSharp.torch;

// Measures our side of the benchmarks (see benchmarks/README.md); each phase prints "RESULT name seconds".
// Usage: dotnet run -c Release -- [h5-load|infer HxW|all] [--repeats N]
NativeRuntime.Configure();
var phase = args.Length > 0 ? args[0] : "all";
var repeats = args.SkipWhile(a => a != "--repeats").Skip(1).Select(int.Parse).FirstOrDefault(5);

static double Median(List<double> values) { values.Sort(); return values[values.Count / 2]; }
static void Report(string name, List<double> seconds) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {name} median={Median(seconds):0.000}s min={seconds.Min():0.000}s n={seconds.Count}"));

if (phase is "h5-load" or "all")
{
    // keras-retinanet's ResNet-50 training model for 80 classes: about 150 MB of weights.
    keras.backend.clear_session();
    var model = models.backbone("resnet50").retinanet(num_classes: 80);
    var path = Path.Combine(Path.GetTempPath(), "retinanet-resnet50-bench.h5");
    model.save(path);
    Console.WriteLine($"saved {new FileInfo(path).Length / 1e6:0.0} MB to {path}");
    var times = new List<double>();
    for (int i = 0; i < repeats; i++)
    {
        var clock = Stopwatch.StartNew();
        keras.models.load_model(path, CustomObjects.WithResNet(), compile: false);
        times.Add(clock.Elapsed.TotalSeconds);
    }
    Report("h5_load_resnet50", times);
    File.Delete(path);
}

if (phase is "infer" or "all")
{
    var sizes = phase == "infer" && args.Length > 1 ? new[] { args[1] } : new[] { "512x512", "800x1333" };
    keras.backend.clear_session();
    var training = models.backbone("resnet50").retinanet(num_classes: 91);
    var inference = models.convert_model(training, score_threshold: 0.0);
    foreach (var size in sizes)
    {
        var hw = size.Split('x').Select(long.Parse).ToArray();
        using var image = randn(1, hw[0], hw[1], 3);
        var network = new List<double>();
        var full = new List<double>();
        for (int i = 0; i < repeats + 1; i++)
        {
            using var scope = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            training.predict_on_batch(image);
            var t1 = clock.Elapsed.TotalSeconds;
            clock.Restart();
            inference.predict_on_batch(image);
            var t2 = clock.Elapsed.TotalSeconds;
            if (i == 0) continue; // warm-up
            network.Add(t1);
            full.Add(t2);
        }
        Report($"infer_network_{size}", network);
        Report($"infer_with_postprocess_{size}", full);
    }
}
