using RetinaNet.Core;
using RetinaNet.Inference;
using RetinaNet.Layers;
using RetinaNet.Layers.Onnx;
using RetinaNet.Tests.Layers.Onnx;
using RetinaNet.Train.Demo;
using RetinaNet.Train.Inference;
using RetinaNet.Train.Utils;
using SkiaSharp;

namespace RetinaNet.Tests.Onnx;

/// <summary>OnnxDetector (ONNX Runtime, plain-C# resize and preprocessing) against the TorchSharp Detector on image files.</summary>
public class OnnxDetectorTests
{
    static string folder = "";
    static Model inference = null!;

    [OneTimeSetUp]
    public void Export()
    {
        keras.backend.clear_session();
        folder = Directory.CreateTempSubdirectory("rn-onnx-detector").FullName;
        inference = RetinaNetOnnxEqualityTests.SpreadInferenceModel(numClasses: 4, maxDetections: 60);
        RetinaNetOnnx.export(inference, Path.Combine(folder, "float.onnx"), "caffe");
        RetinaNetOnnx.export(inference, Path.Combine(folder, "uint8.onnx"), "caffe", include_preprocessing: true);
        var (bitmap, _) = ShapesDataset.Render(seed: 5, index: 0, size: 150);
        using (bitmap)
        using (var data = bitmap.Encode(SKEncodedImageFormat.Png, 100))
        using (var stream = File.Create(Path.Combine(folder, "shapes.png")))
            data.SaveTo(stream);
    }

    [OneTimeTearDown]
    public void Clean() => Directory.Delete(folder, true);

    static void AssertSame(IReadOnlyList<DetectedObject> ours, IReadOnlyList<DetectedObject> theirs)
    {
        Assert.That(theirs.Count, Is.EqualTo(ours.Count));
        Assert.That(ours.Count, Is.GreaterThanOrEqualTo(50));
        var a = new OnnxComparison.Outputs(ours.SelectMany(d => new[] { (float)d.x1, (float)d.y1, (float)d.x2, (float)d.y2 }).ToArray(),
            ours.Select(d => (float)d.score).ToArray(), ours.Select(d => d.label).ToArray());
        var b = new OnnxComparison.Outputs(theirs.SelectMany(d => new[] { (float)d.x1, (float)d.y1, (float)d.x2, (float)d.y2 }).ToArray(),
            theirs.Select(d => (float)d.score).ToArray(), theirs.Select(d => d.label).ToArray());
        OnnxComparison.AssertSameDetections(a, b);
    }

    [Test]
    public void ImageFile_ResizedAndPreprocessedWithoutLibtorch_GivesTheTorchDetectorsDetections()
    {
        var image = Path.Combine(folder, "shapes.png");
        var ours = new Detector(inference, l => $"c{l}", "caffe", new ImageSizing(96, 160)).detect(image, min_score: 0);
        using var onnx = new OnnxDetector(Path.Combine(folder, "float.onnx"), l => $"c{l}", imageMinSide: 96, imageMaxSide: 160);
        var theirs = onnx.Detect(image, scoreThreshold: 0);
        AssertSame(ours, theirs);
        Assert.That(theirs.Select(d => d.class_name), Is.EqualTo(theirs.Select(d => $"c{d.label}")));
        // Encoded bytes give what the file gives.
        Assert.That(onnx.Detect(File.ReadAllBytes(image), scoreThreshold: 0), Is.EqualTo(theirs));
    }

    [Test]
    public void IncludedPreprocessing_TakesUint8Pixels_AndGivesTheTorchDetectorsDetections()
    {
        var image = Path.Combine(folder, "shapes.png");
        using var onnx = new OnnxDetector(Path.Combine(folder, "uint8.onnx"), noResize: true);
        Assert.That(onnx.PreprocessingIncluded, Is.True);
        Assert.That(onnx.PreprocessMode, Is.EqualTo("caffe"));
        var ours = new Detector(inference, l => l.ToString(), "caffe", new ImageSizing(no_resize: true)).detect(image, min_score: 0);
        AssertSame(ours, onnx.Detect(image, scoreThreshold: 0));
    }

    [Test]
    public void PredictCommand_OnAnOnnxFile_RunsOnnxRuntime()
    {
        var image = Path.Combine(folder, "shapes.png");
        var json = Path.Combine(folder, "predictions.json");
        var code = RetinaNet.Train.Program.Main(new[] { Path.Combine(folder, "float.onnx"), image, "--score-threshold", "0",
            "--image-min-side", "96", "--image-max-side", "160", "--output", json }.Prepend("predict").ToArray());
        Assert.That(code, Is.EqualTo(0));
        var found = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))![0]!["detections"]!.AsArray();
        using var onnx = new OnnxDetector(Path.Combine(folder, "float.onnx"), imageMinSide: 96, imageMaxSide: 160);
        var expected = onnx.Detect(image, 0);
        Assert.That(found.Count, Is.EqualTo(expected.Count));
        Assert.That(found[0]!["x1"]!.GetValue<double>(), Is.EqualTo(expected[0].x1));
    }

    [Test]
    public void OnnxDetector_MissingFile_FailsNamingIt()
    {
        var path = Path.Combine(folder, "missing.onnx");
        Assert.That(() => new OnnxDetector(path), Throws.TypeOf<FileNotFoundException>().With.Message.Contains("missing.onnx"));
    }
}

/// <summary>RetinaNet.Onnx is deployable without libtorch.</summary>
public class OnnxPackageTests
{
    [Test]
    public void RetinaNetOnnxAssembly_ReferencesNoTorchSharpNorEngine()
    {
        var references = typeof(OnnxDetector).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.That(references, Has.Some.EqualTo("Microsoft.ML.OnnxRuntime"));
        Assert.That(references, Has.None.Contains("TorchSharp").And.None.StartsWith("RetinaNet."));
    }
}
