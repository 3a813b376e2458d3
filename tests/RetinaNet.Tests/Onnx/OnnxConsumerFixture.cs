using System.Text.Json;
using RetinaNet.Core;
using RetinaNet.Inference;
using RetinaNet.Layers;
using RetinaNet.Layers.Onnx;
using RetinaNet.Tests.Layers.Onnx;
using RetinaNet.Tests.Notebooks;
using RetinaNet.Train.Demo;
using RetinaNet.Train.Inference;
using RetinaNet.Train.Utils;
using SkiaSharp;

namespace RetinaNet.Tests.Onnx;

/// <summary>
/// The files of tests/RetinaNet.Onnx.Tests (the consumer project that references only RetinaNet.Onnx): a small
/// inference model (.h5), its export (.onnx), a test image and the TorchSharp detector's detections of it at two
/// sizes (expected.json). The consumer cannot make them itself (it has no TorchSharp), so they are committed; these
/// tests prove the committed files are what our TorchSharp path and exporter give today.
/// </summary>
public class OnnxConsumerFixture
{
    /// <summary>The two sizings the consumer runs, as (min side, max side).</summary>
    public static readonly (int min, int max)[] Sizings = { (96, 160), (128, 200) };

    static string Folder => Path.Combine(NotebookFiles.RepositoryRoot, "tests", "RetinaNet.Onnx.Tests", "Fixtures");

    /// <summary>One detection as the consumer's expected.json stores it.</summary>
    public sealed record Row(double x1, double y1, double x2, double y2, double score, int label);

    static List<List<Row>> TorchDetections(Model inference, string image) => Sizings
        .Select(s => new Detector(inference, l => $"c{l}", "caffe", new ImageSizing(s.min, s.max)).detect(image, min_score: 0)
            .Select(d => new Row(d.x1, d.y1, d.x2, d.y2, d.score, d.label)).ToList())
        .ToList();

    /// <summary>Writes the fixture files again (run by hand when the model format or the exporter changes).</summary>
    [Test, Explicit("rewrites the committed fixture of tests/RetinaNet.Onnx.Tests; run by hand when the export format changes")]
    public void Regenerate()
    {
        keras.backend.clear_session();
        Directory.CreateDirectory(Folder);
        using var probe = RetinaNetOnnxEqualityTests.TestImage(96, 128, "caffe", 0);
        var training = RetinaNetOnnxEqualityTests.SpreadScores(models.backbone("resnet18_4").retinanet(num_classes: 3,
            options: new RetinaNetOptions { feature_size = 8, head_feature_size = 8 }), probe);
        var inference = models.convert_model(training, score_threshold: 0, max_detections: 60);
        inference.save(Path.Combine(Folder, "tiny.h5"));
        RetinaNetOnnx.export(inference, Path.Combine(Folder, "tiny.onnx"), "caffe");
        var (bitmap, _) = ShapesDataset.Render(seed: 11, index: 0, size: 150);
        using (bitmap)
        using (var data = bitmap.Encode(SKEncodedImageFormat.Png, 100))
        using (var stream = File.Create(Path.Combine(Folder, "shapes.png")))
            data.SaveTo(stream);
        var expected = TorchDetections(inference, Path.Combine(Folder, "shapes.png"));
        File.WriteAllText(Path.Combine(Folder, "expected.json"), JsonSerializer.Serialize(expected, new JsonSerializerOptions { WriteIndented = true }));
    }

    static List<List<Row>> Expected() =>
        JsonSerializer.Deserialize<List<List<Row>>>(File.ReadAllText(Path.Combine(Folder, "expected.json")))!;

    static void AssertSame(IReadOnlyList<Row> ours, IReadOnlyList<Row> theirs)
    {
        Assert.That(ours.Count, Is.GreaterThanOrEqualTo(50));
        static OnnxComparison.Outputs Outputs(IReadOnlyList<Row> rows) => new(
            rows.SelectMany(d => new[] { (float)d.x1, (float)d.y1, (float)d.x2, (float)d.y2 }).ToArray(),
            rows.Select(d => (float)d.score).ToArray(), rows.Select(d => d.label).ToArray());
        OnnxComparison.AssertSameDetections(Outputs(ours), Outputs(theirs));
    }

    [Test]
    public void CommittedModel_OnTorchSharp_GivesTheCommittedDetections()
    {
        keras.backend.clear_session();
        var inference = models.load_model(Path.Combine(Folder, "tiny.h5"), "resnet18_4", compile: false);
        var ours = TorchDetections(inference, Path.Combine(Folder, "shapes.png"));
        var expected = Expected();
        Assert.That(ours.Count, Is.EqualTo(Sizings.Length));
        for (int i = 0; i < Sizings.Length; i++) AssertSame(ours[i], expected[i]);
    }

    [Test]
    public void ExportingTheCommittedModelToday_GivesAFileWithTheCommittedDetections()
    {
        keras.backend.clear_session();
        var folder = Directory.CreateTempSubdirectory("rn-onnx-consumer").FullName;
        try
        {
            var inference = models.load_model(Path.Combine(Folder, "tiny.h5"), "resnet18_4", compile: false);
            var onnx = Path.Combine(folder, "tiny.onnx");
            RetinaNetOnnx.export(inference, onnx, "caffe");
            var expected = Expected();
            for (int i = 0; i < Sizings.Length; i++)
            {
                foreach (var file in new[] { onnx, Path.Combine(Folder, "tiny.onnx") })
                {
                    using var detector = new OnnxDetector(file, imageMinSide: Sizings[i].min, imageMaxSide: Sizings[i].max);
                    var theirs = detector.Detect(Path.Combine(Folder, "shapes.png"), scoreThreshold: 0)
                        .Select(d => new Row(d.x1, d.y1, d.x2, d.y2, d.score, d.label)).ToList();
                    AssertSame(expected[i], theirs);
                }
            }
        }
        finally { Directory.Delete(folder, true); }
    }
}
