using System.Text.Json;

namespace RetinaNet.Onnx.Tests;

/// <summary>This project must run detections without TorchSharp/libtorch anywhere in its dependency closure.</summary>
public class ConsumerIsolationTests
{
    [Test]
    public void DependencyClosure_HasNoTorchSharp()
    {
        var depsFile = Directory.GetFiles(AppContext.BaseDirectory, "*.deps.json").Single(f => Path.GetFileName(f).StartsWith("RetinaNet.Onnx.Tests"));
        using var deps = JsonDocument.Parse(File.ReadAllText(depsFile));
        var libraries = deps.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToList();
        Assert.That(libraries, Has.Some.StartsWith("Microsoft.ML.OnnxRuntime/"), "the closure was read");
        Assert.That(libraries, Has.Some.StartsWith("RetinaNet.Onnx/"));
        Assert.That(libraries.Where(l => l.Contains("TorchSharp", StringComparison.OrdinalIgnoreCase) || l.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase)
            || l.StartsWith("RetinaNet.Core/") || l.StartsWith("RetinaNet.Layers/") || l.StartsWith("RetinaNet.Train/")), Is.Empty);
        Assert.That(Directory.GetFiles(AppContext.BaseDirectory, "*torch*", SearchOption.AllDirectories), Is.Empty, "no libtorch binaries in the output");
    }

    [Test]
    public void RunningADetection_LoadsNoTorchSharpAssembly()
    {
        using (var detector = new RetinaNet.Inference.OnnxDetector(Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny.onnx"), imageMinSide: 96, imageMaxSide: 160))
            Assert.That(detector.Detect(Path.Combine(AppContext.BaseDirectory, "Fixtures", "shapes.png"), scoreThreshold: 0), Is.Not.Empty);
        Assert.That(AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name), Has.None.Contains("TorchSharp"));
    }
}
