using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Layers;
using RetinaNet.Train.Demo;
using RetinaNet.Train.Preprocessing;
using RetinaNet.Train.Training;
using RetinaNet.Train.Utils;
using static TorchSharp.torch;

// Our side of the benchmarks. One phase per process (so peak memory is per phase); each prints one JSON line.
//   infer HxW      ResNet-50 RetinaNet (91 classes, as torchvision's): network, post-processing, and both together
//   infer-onnx HxW the same model exported to ONNX, run by ONNX Runtime (CPU, default threads)
//   infer-batch HxW B  images/s of predict over 4·B JPEG files: serial, decoding overlapped, batches of B
//   shapes-data DIR    the demo's data (1000 training, 100 validation 256x256 images, its seeds) as CSV files in DIR
//   train B        a 512x512 training step with batch B (SGD momentum 0.9, as the peer)
//   h5-load        load_model of a ResNet-50 RetinaNet .h5 (80 classes)
//   data           images/s through the CSV generator: decode + random transform + visual effects + resize
//   large-image-data SIDE DIR   writes a CSV dataset of two SIDE x SIDE images (for benchmarks/large-images.sh)
// libtorch threads: 2 unless `--threads N` follows the phase, as the peer always uses 2 (the targets are for
// 2 threads on both sides, whatever the machine has). The rest of the runtime set-up is what the CLI gets.
var threadsAt = Array.IndexOf(args, "--threads");
var threads = threadsAt >= 0 ? int.Parse(args[threadsAt + 1], CultureInfo.InvariantCulture) : 2;
if (threadsAt >= 0) args = args.Take(threadsAt).Concat(args.Skip(threadsAt + 2)).ToArray();
NativeRuntime.Configure(threads);
// `--precision bf16` anywhere: the kernel layers compute in bfloat16 (DTypePolicy.MixedBFloat16), as `--precision bf16`
// of the CLI; on a CPU without fast bf16 the phase prints {"skipped": …} instead of a slow emulated figure.
var precisionAt = Array.IndexOf(args, "--precision");
var precision = precisionAt >= 0 ? args[precisionAt + 1] : "fp32";
if (precisionAt >= 0) args = args.Take(precisionAt).Concat(args.Skip(precisionAt + 2)).ToArray();
var policy = precision == "fp32" ? DTypePolicy.Float32 : DTypePolicy.MixedBFloat16;
if (policy.is_mixed && !BFloat16Support.IsFast())
{
    Console.WriteLine(new JsonObject { ["skipped"] = $"no fast bfloat16 on this CPU ({BFloat16Support.CpuReason})", ["precision"] = precision }.ToJsonString());
    return;
}
var phase = args.Length > 0 ? args[0] : throw new ArgumentException("phase: infer HxW | infer-onnx HxW | infer-batch HxW B | train B | h5-load | data [--threads N]");
// `--repeats N`: timed runs per phase (5 unless given; benchmarks/run.sh --quick uses 1).
var repeatsAt = Array.IndexOf(args, "--repeats");
var repeats = repeatsAt >= 0 ? int.Parse(args[repeatsAt + 1], CultureInfo.InvariantCulture) : 5;
if (repeatsAt >= 0) args = args.Take(repeatsAt).Concat(args.Skip(repeatsAt + 2)).ToArray();

static double Median(IEnumerable<double> values) { var v = values.OrderBy(x => x).ToList(); return v[v.Count / 2]; }
static double RssMib() => StatusMib("VmRSS:");
static double PeakRssMib() => StatusMib("VmHWM:");
static double StatusMib(string key) => File.ReadLines("/proc/self/status").Where(l => l.StartsWith(key))
    .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).FirstOrDefault();
void Emit(JsonObject result)
{
    result["phase"] = string.Join(' ', args);
    result["threads"] = get_num_threads();
    result["precision"] = precision;
    result["peak_rss_mib"] = PeakRssMib();
    Console.WriteLine(result.ToJsonString());
}

// Post-processing alone, by the inference model's own layers: anchors per level, box decoding, clipping, and
// FilterDetections (threshold, NMS per class, top detections).
static void PostProcess(Model inference, Tensor image, Tensors networkOutputs)
{
    using var noGrad = no_grad();
    using var scope = NewDisposeScope();
    var anchors = inference.get_layer("anchors").Apply(new Tensors(Enumerable.Range(0, 5)
        .Select(i => inference.get_layer($"anchors_{i}").Apply(networkOutputs[i]))));
    var boxes = inference.get_layer("boxes").Apply(new Tensors(anchors, networkOutputs[5]));
    var clipped = inference.get_layer("clipped_boxes").Apply(new Tensors(image, boxes));
    inference.get_layer("filtered_detections").Apply(new Tensors(clipped, networkOutputs[6]));
}

switch (phase)
{
    case "infer":
    {
        var hw = args[1].Split('x').Select(long.Parse).ToArray();
        var rssAtStart = RssMib();
        var training = models.backbone("resnet50").retinanet(num_classes: 91);
        var inference = models.convert_model(training, score_threshold: 0.0);
        var rssWithModel = RssMib();
        // The network up to the pyramid features and head outputs, so post-processing can be timed on its own.
        var features = new[] { 3, 4, 5, 6, 7 }.Select(l => training.get_layer($"P{l}").output.Single());
        var network = keras.Model(training.inputs, new KerasTensors(features.Concat(training.outputs)));
        training.dtype_policy = inference.dtype_policy = network.dtype_policy = policy;
        using var image = randn(1, hw[0], hw[1], 3);
        var networkTimes = new List<double>();
        var fullTimes = new List<double>();
        var postTimes = new List<double>();
        var networkCpu = new List<double>();
        for (int i = 0; i < repeats + 2; i++)
        {
            using var scope = NewDisposeScope();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var outputs = network.predict_on_batch(image);
            var t1 = clock.Elapsed.TotalSeconds;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            clock.Restart();
            PostProcess(inference, image, outputs);
            var t2 = clock.Elapsed.TotalSeconds;
            foreach (var t in outputs) t.Dispose();
            clock.Restart();
            inference.predict_on_batch(image);
            var t3 = clock.Elapsed.TotalSeconds;
            if (i < 2) continue; // warm-up
            networkTimes.Add(t1);
            networkCpu.Add(cpu);
            postTimes.Add(t2);
            fullTimes.Add(t3);
        }
        Emit(new JsonObject
        {
            ["network_s"] = Median(networkTimes), ["network_cpu_s"] = Median(networkCpu), ["postprocess_s"] = Median(postTimes), ["end_to_end_s"] = Median(fullTimes),
            ["rss_at_start_mib"] = rssAtStart, ["rss_with_model_mib"] = rssWithModel,
        });
        break;
    }
    case "infer-onnx":
    {
        var hw = args[1].Split('x').Select(long.Parse).ToArray();
        var (endToEnd, exportS, ortThreads) = RetinaNet.Benchmarks.OnnxRuntimeInference.Measure(hw[0], hw[1], repeats);
        Emit(new JsonObject { ["end_to_end_s"] = endToEnd, ["export_s"] = exportS, ["ort_threads"] = ortThreads });
        break;
    }
    case "infer-batch":
    {
        var hw = args[1].Split('x').Select(int.Parse).ToArray();
        var batch = int.Parse(args[2], CultureInfo.InvariantCulture);
        var (serial, overlapped, batched, count) = RetinaNet.Benchmarks.BatchedInference.Measure(hw[0], hw[1], batch, policy);
        Emit(new JsonObject
        {
            ["serial_images_per_s"] = serial, ["overlapped_images_per_s"] = overlapped, ["batched_images_per_s"] = batched,
            ["batch"] = batch, ["images"] = count,
            ["serial_decode_s"] = RetinaNet.Benchmarks.BatchedInference.Stages.decode,
            ["serial_prepare_s"] = RetinaNet.Benchmarks.BatchedInference.Stages.prepare,
            ["serial_model_s"] = RetinaNet.Benchmarks.BatchedInference.Stages.model,
        });
        break;
    }
    case "shapes-data":
    {
        // As `retinanet demo` writes them (seed 0): DIR/classes.csv, DIR/train.csv, DIR/val.csv.
        var classes = ShapesDataset.WriteClasses(args[1]);
        var train = ShapesDataset.WriteCsv(args[1], "train", 1000, 0, 256);
        var val = ShapesDataset.WriteCsv(args[1], "val", 100, 1, 256);
        Console.WriteLine(new JsonObject { ["classes"] = classes, ["train"] = train, ["val"] = val }.ToJsonString());
        return;
    }
    case "train":
    {
        var batch = int.Parse(args[1], CultureInfo.InvariantCulture);
        var model = models.backbone("resnet50").retinanet(num_classes: 91);
        model.dtype_policy = policy;
        model.compile(new SGD(learning_rate: 0.01, momentum: 0.9),
            new Dictionary<string, Loss> { ["regression"] = Losses.smooth_l1(), ["classification"] = Losses.focal() });
        var targets = new AnchorTargets().Delegate;
        var random = new Random(0);
        var annotations = Enumerable.Range(0, batch).Select(_ =>
        {
            var boxes = new double[3, 4];
            var labels = new int[3];
            for (int k = 0; k < 3; k++)
            {
                double x = random.Next(0, 400), y = random.Next(0, 400), s = random.Next(40, 110);
                (boxes[k, 0], boxes[k, 1], boxes[k, 2], boxes[k, 3], labels[k]) = (x, y, x + s, y + s, random.Next(91));
            }
            return new Annotations(boxes, labels);
        }).ToList();
        using var images = randn(batch, 512, 512, 3);
        var (regression, classification) = targets(images, annotations, Enumerable.Repeat((512, 512), batch).ToList(), 91);
        var steps = new List<double>();
        for (int i = 0; i < repeats + 2; i++)
        {
            var clock = Stopwatch.StartNew();
            model.train_on_batch(images, new Tensors(regression, classification));
            if (i >= 2) steps.Add(clock.Elapsed.TotalSeconds);
        }
        Emit(new JsonObject { ["step_s"] = Median(steps), ["batch"] = batch });
        break;
    }
    case "h5-load":
    {
        var model = models.backbone("resnet50").retinanet(num_classes: 80);
        var path = Path.Combine(Path.GetTempPath(), $"retinanet-resnet50-bench-{Environment.ProcessId}.h5");
        model.save(path);
        var times = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            keras.models.load_model(path, CustomObjects.WithResNet(), compile: false);
            times.Add(clock.Elapsed.TotalSeconds);
        }
        var megabytes = new FileInfo(path).Length / 1e6;
        File.Delete(path);
        Emit(new JsonObject { ["load_s"] = Median(times), ["min_s"] = times.Min(), ["file_mb"] = megabytes });
        break;
    }
    case "data":
    {
        var folder = Directory.CreateTempSubdirectory("bench-data").FullName;
        var classes = ShapesDataset.WriteClasses(folder);
        var csv = ShapesDataset.WriteCsv(folder, "train", 64, seed: 0, size: 512);
        var (transform, visual) = Augmentation.training(random_transform: true);
        var generator = new CsvGenerator(csv, classes, options: new GeneratorOptions
        {
            batch_size = 2, transform_generator = transform, visual_effect_generator = visual,
            preprocess_image = x => ImagePreprocessing.preprocess_image(x, "caffe"), seed = 0,
        });
        var clock = Stopwatch.StartNew();
        int images = 0;
        foreach (var batch in PrefetchingLoader.ForGenerator(generator, generator.Count, workers: Environment.ProcessorCount))
            images += batch.group.Count;
        Emit(new JsonObject { ["images_per_s"] = images / clock.Elapsed.TotalSeconds, ["images"] = images });
        Directory.Delete(folder, true);
        break;
    }
    case "large-image-data":
    {
        // A CSV dataset of two SIDE x SIDE photos-to-be for the large-image memory benchmark (benchmarks/large-images.sh).
        var side = int.Parse(args[1], CultureInfo.InvariantCulture);
        var folder = args[2];
        Directory.CreateDirectory(folder);
        ShapesDataset.WriteClasses(folder);
        var csv = ShapesDataset.WriteCsv(folder, "train", 2, seed: 0, size: side);
        Emit(new JsonObject { ["annotations"] = csv, ["side"] = side });
        break;
    }
    default:
        throw new ArgumentException($"unknown phase {phase}");
}
