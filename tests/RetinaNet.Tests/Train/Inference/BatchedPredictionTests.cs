using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Layers;
using RetinaNet.Tests.Layers.Onnx;
using RetinaNet.Tests.Train.Cli;
using RetinaNet.Tests.Train.Preprocessing;
using RetinaNet.Train.Evaluation;
using RetinaNet.Train.Inference;
using RetinaNet.Train.Preprocessing;
using RetinaNet.Train.Utils;
using SkiaSharp;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Train.Inference;

/// <summary>
/// <c>--batch-size</c> of predict and evaluate (<see cref="BatchedPrediction"/>): images of one network input size run
/// together, the next ones are read on another thread, and every image gets the detections it gets alone (up to
/// float32 rounding: oneDNN may sum a batch in another order).
/// </summary>
public class BatchedPredictionTests
{
    static string folder = "";
    static Model inference = null!;
    // Resized by ImageSizing(96, 128) to three network sizes: 96x128, 128x96 and 96x96, interleaved.
    static readonly (int height, int width)[] Sizes = { (96, 128), (128, 96), (96, 128), (100, 100), (96, 128), (128, 96), (96, 128), (48, 64) };

    [OneTimeSetUp]
    public void BuildModel()
    {
        keras.backend.clear_session();
        folder = Directory.CreateTempSubdirectory("rn-batched").FullName;
        inference = RetinaNetOnnxEqualityTests.SpreadInferenceModel(numClasses: 2, maxDetections: 50);
        inference.save(Path.Combine(folder, "model.h5"));
    }

    [OneTimeTearDown]
    public void Clean() => Directory.Delete(folder, true);

    static Detector NewDetector() => new(inference, l => $"c{l}", "caffe", new ImageSizing(96, 128));

    static Tensor Image(int index)
    {
        var (h, w) = Sizes[index];
        return (rand(new long[] { h, w, 3 }, generator: new TorchSharp.torch.Generator((ulong)index + 1)) * 255).floor();
    }

    [Test]
    public void Batches_GiveEveryImageTheDetectionsItGetsAlone()
    {
        var detector = NewDetector();
        var alone = Enumerable.Range(0, Sizes.Length).Select(i => { using var image = Image(i); return detector.predict(image); }).ToList();
        foreach (var batchSize in new[] { 1, 3, 16 })
        {
            var results = BatchedPrediction.Run(detector, Sizes.Length, Image, batchSize).ToList();
            Assert.That(results.Select(r => r.index).Order(), Is.EqualTo(Enumerable.Range(0, Sizes.Length)), $"batch {batchSize}: each image once");
            var compared = 0;
            foreach (var r in results)
            {
                Assert.That(r.error, Is.Null);
                // A batch may be summed in another order by oneDNN: the same detections up to float32 rounding.
                compared += OnnxComparison.AssertSameDetections(Floats(alone[r.index]), Floats(r.output!), boxTolerance: 1e-3, scoreTolerance: 1e-5);
            }
            Assert.That(compared, Is.GreaterThanOrEqualTo(100), "enough detections compared");
        }
    }

    static OnnxComparison.Outputs Floats(ModelOutput o) =>
        new(o.boxes.Select(v => (float)v).ToArray(), o.scores.Select(v => (float)v).ToArray(), o.labels);

    static OnnxComparison.Outputs Floats(JsonArray detections, int padded) =>
        new(detections.SelectMany(d => new[] { "x1", "y1", "x2", "y2" }.Select(k => (float)d![k]!.GetValue<double>()))
                .Concat(Enumerable.Repeat(-1f, 4 * (padded - detections.Count))).ToArray(),
            detections.Select(d => (float)d!["score"]!.GetValue<double>()).Concat(Enumerable.Repeat(-1f, padded - detections.Count)).ToArray(),
            detections.Select(d => d!["label"]!.GetValue<int>()).Concat(Enumerable.Repeat(-1, padded - detections.Count)).ToArray());

    [Test]
    public void Batches_AreImagesOfOneNetworkSize_RunTogether()
    {
        var detector = NewDetector();
        var order = BatchedPrediction.Run(detector, Sizes.Length, Image, batch_size: 3).Select(r => r.index).ToList();
        // The first full bucket (three 96x128 images: 0, 2, 4) runs before the images read between them.
        Assert.That(order.Take(3), Is.EqualTo(new[] { 0, 2, 4 }));
        Assert.That(order, Is.Unique);
    }

    [Test]
    public void AnUnreadableImage_IsReported_AndTheOthersStillRun()
    {
        var detector = NewDetector();
        var results = BatchedPrediction.Run(detector, Sizes.Length,
            i => i == 2 ? throw new InvalidDataException("image 2 is damaged") : Image(i), batch_size: 2).ToList();
        Assert.That(results.Single(r => r.index == 2).error!.Message, Is.EqualTo("image 2 is damaged"));
        Assert.That(results.Where(r => r.index != 2).Select(r => r.output), Has.All.Not.Null);
        Assert.That(results, Has.Count.EqualTo(Sizes.Length));
    }

    [Test]
    public void AFaultWhilePreparing_SurfacesInTheCaller()
    {
        var failing = new Detector(inference, l => $"c{l}", image => (image, 1.0),
            image => image.shape[0] == 128 ? throw new InvalidOperationException("cannot prepare 128-high images") : image - 100);
        var error = Assert.Throws<InvalidOperationException>(() => BatchedPrediction.Run(failing, Sizes.Length, Image, batch_size: 2).ToList());
        Assert.That(error!.Message, Is.EqualTo("cannot prepare 128-high images"));
    }

    [Test]
    public void StoppingEarly_EndsTheReader()
    {
        var detector = NewDetector();
        var run = Task.Run(() => BatchedPrediction.Run(detector, Sizes.Length, Image, batch_size: 1).Take(2).ToList());
        Assert.That(run.Wait(TimeSpan.FromMinutes(2)), Is.True, "no wait on a reader nobody reads from");
        Assert.That(run.Result, Has.Count.EqualTo(2));
    }

    [Test]
    public void Evaluation_InBatches_CountsTheSameDetections()
    {
        var annotations = Sizes.Select((s, i) => new Annotations(new double[,] { { 10, 12, 60, 70 } }, new[] { i % 2 })).ToArray();
        var generator = new MemoryGenerator(Sizes, annotations,
            options: new GeneratorOptions { image_sizing = new ImageSizing(96, 128), shuffle_groups = false });
        var one = ModelEvaluation.get_detections(generator, inference, counted_score_threshold: 0.05, batch_size: 1);
        var four = ModelEvaluation.get_detections(generator, inference, counted_score_threshold: 0.05, batch_size: 4);
        Assert.That(four, Has.Count.EqualTo(one.Count));
        Assert.That(one.Sum(i => i.Detections.Sum(d => d.Value.Count)), Is.GreaterThanOrEqualTo(50), "enough counted detections");
        for (int i = 0; i < one.Count; i++)
            foreach (var (label, detections) in one[i].Detections)
            {
                var batched = four[i].Detections[label];
                Assert.That(batched, Has.Count.EqualTo(detections.Count), $"image {i}, label {label}");
                Assert.That(batched.Select(d => d.Score).Order(), Is.EqualTo(detections.Select(d => d.Score).Order()).Within(1e-5), $"image {i}, label {label}");
                Assert.That(batched.Select(d => d.X1 + d.Y1 + d.X2 + d.Y2).Order(), Is.EqualTo(detections.Select(d => d.X1 + d.Y1 + d.X2 + d.Y2).Order()).Within(1e-2),
                    $"image {i}, label {label}");
            }
        var a = VocEvaluation.Evaluate(one, new[] { 0, 1 }, 0.5);
        var b = VocEvaluation.Evaluate(four, new[] { 0, 1 }, 0.5);
        Assert.That(b.MeanAveragePrecision, Is.EqualTo(a.MeanAveragePrecision).Within(1e-6));
    }

    [Test]
    public void PredictCommand_WithBatchSize_WritesWhatOneAtATimeWrites_InInputOrder()
    {
        var files = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            var (h, w) = Sizes[i];
            using var bitmap = new SKBitmap(w, h);
            using (var canvas = new SKCanvas(bitmap))
            {
                canvas.Clear(new SKColor((byte)(40 * i), 90, 200));
                canvas.DrawCircle(w / 2f, h / 2f, 20 + 3 * i, new SKPaint { Color = SKColors.Orange });
            }
            var file = Path.Combine(folder, $"p{i}.png");
            using (var data = bitmap.Encode(SKEncodedImageFormat.Png, 100))
            using (var stream = File.Create(file))
                data.SaveTo(stream);
            files.Add(file);
        }
        var broken = Path.Combine(folder, "broken.png");
        File.WriteAllBytes(broken, new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x00 });
        files.Insert(3, broken);
        string[] Args(int batch) => new[] { "predict", Path.Combine(folder, "model.h5") }.Concat(files)
            .Concat(new[] { "--backbone", "resnet18_8", "--score-threshold", "0", "--image-min-side", "96", "--image-max-side", "128",
                "--batch-size", batch.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ToArray();

        var (code1, json1, err1) = CliRunner.Run(Args(1));
        var (code3, json3, err3) = CliRunner.Run(Args(3));
        Assert.That(code1, Is.EqualTo(1), err1);
        Assert.That(code3, Is.EqualTo(1), err3);
        Assert.That(err3, Does.Contain("1 of 6 images could not be read."));
        var one = JsonNode.Parse(json1)!.AsArray();
        var three = JsonNode.Parse(json3)!.AsArray();
        Assert.That(three.Select(r => r!["image"]!.GetValue<string>()), Is.EqualTo(files), "input order");
        Assert.That(three[3]!["error"]!.GetValue<string>(), Does.Contain(broken));
        for (int i = 0; i < files.Count; i++)
        {
            if (i == 3) continue;
            var a = one[i]!["detections"]!.AsArray();
            var b = three[i]!["detections"]!.AsArray();
            Assert.That(a, Has.Count.GreaterThan(10), files[i]);
            OnnxComparison.AssertSameDetections(Floats(a, 50), Floats(b, 50), boxTolerance: 1e-3, scoreTolerance: 1e-5);
        }
    }

    [Test]
    public void BatchSizeBelowOne_IsRefusedBeforeLoadingTheModel()
    {
        var (code, _, stderr) = CliRunner.Run("predict", Path.Combine(folder, "missing-model.h5"), "x.png", "--batch-size", "0");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr.Trim(), Is.EqualTo("error: --batch-size 0: must be at least 1."));
    }
}
