using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RetinaNet.Core;
using RetinaNet.Layers;
using RetinaNet.Layers.Onnx;

namespace RetinaNet.Benchmarks;

/// <summary>
/// The `infer-onnx HxW` phase: the same ResNet-50 RetinaNet as `infer` (91 classes, score threshold 0), exported with
/// RetinaNetOnnx and run by ONNX Runtime on the CPU with its default session options (its own thread count).
/// </summary>
static class OnnxRuntimeInference
{
    public static (double endToEnd, double exportS, int threads) Measure(long height, long width, int repeats)
    {
        var inference = models.convert_model(models.backbone("resnet50").retinanet(num_classes: 91), score_threshold: 0.0);
        var path = Path.Combine(Path.GetTempPath(), $"rn-bench-{Environment.ProcessId}.onnx");
        try
        {
            var clock = Stopwatch.StartNew();
            RetinaNetOnnx.export(inference, path, "caffe");
            var exportS = clock.Elapsed.TotalSeconds;
            using var session = new InferenceSession(path);
            var random = new Random(0);
            var pixels = new float[height * width * 3];
            for (int i = 0; i < pixels.Length; i++) pixels[i] = (float)(random.NextDouble() * 2 - 1);
            var input = NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(),
                new DenseTensor<float>(pixels, new[] { 1, (int)height, (int)width, 3 }));
            var times = new List<double>();
            for (int i = 0; i < repeats + 2; i++)
            {
                clock.Restart();
                using (session.Run(new[] { input })) { }
                if (i >= 2) times.Add(clock.Elapsed.TotalSeconds); // two warm-up runs, as `infer`
            }
            times.Sort();
            // ORT's default intra-op pool has one thread per physical core.
            return (times[times.Count / 2], exportS, Environment.ProcessorCount);
        }
        finally { File.Delete(path); }
    }
}
