using System.Diagnostics;
using RetinaNet.Core;
using RetinaNet.Layers;
using RetinaNet.Train.Inference;
using RetinaNet.Train.Utils;
using SkiaSharp;

namespace RetinaNet.Benchmarks;

/// <summary>
/// The `infer-batch HxW B` phase (issue 19, item 4): images/s of `predict` over 4·B JPEG files of H x W (network
/// input H x W, no resize), ResNet-50 RetinaNet with 91 classes and the default score threshold, three ways:
/// one after the other with nothing overlapped (decode, then the network: what predict did before --batch-size),
/// batch 1 with the next image decoded while the network runs, and batch B.
/// </summary>
static class BatchedInference
{
    /// <summary>Seconds per image of the serial run's stages: decoding, resizing and normalising, the model.</summary>
    public static (double decode, double prepare, double model) Stages { get; private set; }

    public static (double serial, double overlapped, double batched, int images) Measure(int height, int width, int batch, DTypePolicy policy)
    {
        var folder = Directory.CreateTempSubdirectory("rn-bench-batch").FullName;
        try
        {
            var files = WriteImages(folder, 4 * batch, height, width);
            var inference = models.convert_model(models.backbone("resnet50").retinanet(num_classes: 91));
            inference.dtype_policy = policy;
            var detector = new Detector(inference, l => l.ToString(), "caffe",
                new ImageSizing(Math.Min(height, width), Math.Max(height, width)));
            TorchSharp.torch.Tensor Read(int i) => ImageIO.read_image_bgr(files[i]);
            // Warm-up: each way once over B images (oneDNN primitives for both batch sizes are created here).
            for (int i = 0; i < batch; i++)
                using (var image = Read(i)) detector.predict(image);
            BatchedPrediction.Run(detector, batch, Read, 1).Count();
            BatchedPrediction.Run(detector, batch, Read, batch).Count();

            var clock = Stopwatch.StartNew();
            double decode = 0, prepare = 0, network = 0;
            for (int i = 0; i < files.Length; i++)
            {
                using var scope = TorchSharp.torch.NewDisposeScope();
                var step = Stopwatch.StartNew();
                var image = Read(i);
                decode += step.Elapsed.TotalSeconds;
                step.Restart();
                var prepared = detector.prepare(image);
                prepare += step.Elapsed.TotalSeconds;
                step.Restart();
                detector.predict_batch(new[] { prepared });
                network += step.Elapsed.TotalSeconds;
            }
            var serial = files.Length / clock.Elapsed.TotalSeconds;
            Stages = (decode / files.Length, prepare / files.Length, network / files.Length);
            clock.Restart();
            var n1 = BatchedPrediction.Run(detector, files.Length, Read, 1).Count();
            var overlapped = n1 / clock.Elapsed.TotalSeconds;
            clock.Restart();
            var nb = BatchedPrediction.Run(detector, files.Length, Read, batch).Count();
            var batched = nb / clock.Elapsed.TotalSeconds;
            return (serial, overlapped, batched, files.Length);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    /// <summary>
    /// JPEG files (quality 90) whose pixels sit within ±3 of the 'caffe' means, so the network sees inputs of the
    /// scale the peer feeds its random-weight model (torchvision normalises uniform noise to about ±2). Real
    /// photographs (±128 after 'caffe') drive a random-weight model's scores up everywhere, and post-processing would
    /// then time a pathological case no trained model produces. Decoding stays a small part either way (see
    /// serial_decode_s).
    /// </summary>
    static string[] WriteImages(string folder, int count, int height, int width)
    {
        var random = new Random(0);
        var files = new string[count];
        byte[] means = { 124, 117, 104 }; // R, G, B of the caffe means (123.68, 116.779, 103.939), rounded
        for (int i = 0; i < count; i++)
        {
            using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
            var pixels = new byte[width * height * 4];
            for (int o = 0; o < pixels.Length; o += 4)
            {
                for (int c = 0; c < 3; c++) pixels[o + c] = (byte)(means[c] + random.Next(-3, 4));
                pixels[o + 3] = 255;
            }
            System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
            files[i] = Path.Combine(folder, $"image{i}.jpg");
            using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
            using var stream = File.Create(files[i]);
            data.SaveTo(stream);
        }
        return files;
    }
}
