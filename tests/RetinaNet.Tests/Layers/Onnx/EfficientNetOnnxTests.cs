using Microsoft.ML.OnnxRuntime;
using RetinaNet.Core;
using RetinaNet.Layers;
using RetinaNet.Layers.Onnx;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers.Onnx;

/// <summary>
/// EfficientNet's export (swish, squeeze-and-excitation's broadcasting Multiply, FixedDropout) and its 'torch'
/// preprocessing in the graph, against the TorchSharp path as <see cref="RetinaNetOnnxEqualityTests"/> compares them.
/// </summary>
public class EfficientNetOnnxTests
{
    /// <summary>
    /// Sets every BatchNormalization's moving statistics to those of its input over the test images (their pixels
    /// pooled), in graph order, and scales P3–P7 to unit deviation, as training would. An untrained EfficientNet's
    /// activations shrink about fourfold per stage (C5 ≈ 3e-5), so its scores would otherwise all tie at the prior;
    /// statistics of one image alone blow up on another (channels nearly constant on it), and levels of unequal scale
    /// would saturate the shared head (ties at 1) on some of them.
    /// </summary>
    internal static Model Calibrate(Model training, Tensor? image = null)
    {
        var images = image is null
            ? RetinaNetOnnxEqualityTests.Sizes.Select((size, seed) => RetinaNetOnnxEqualityTests.TestImage(size.height, size.width, "torch", seed)).ToList()
            : new List<Tensor> { image.alias() };
        try
        {
            Tensor Pooled(KerasTensors at) =>
                cat(images.Select(img => { var y = keras.Model(training.inputs, at).predict_on_batch(img)[0]; return y.reshape(-1, y.shape[^1]); }).ToList(), 0);
            foreach (var bn in training.layers.OfType<RetinaNet.Core.Layers.BatchNormalization>())
            {
                using var scope = NewDisposeScope();
                var x = Pooled(bn.inbound_nodes[0].input_tensors);
                var w = bn.get_weights();
                bn.set_weights(new[] { w[0], w[1], x.mean(new long[] { 0 }), x.var(new long[] { 0 }, unbiased: false) });
            }
            foreach (var level in new[] { "P3", "P4", "P5", "P6", "P7" })
            {
                using var scope = NewDisposeScope();
                var layer = training.get_layer(level);
                var std = Pooled(layer.output).std().item<float>();
                layer.set_weights(layer.get_weights().Select(t => t / std).ToList());
            }
            return training;
        }
        finally { images.ForEach(i => i.Dispose()); }
    }

    /// <summary>EfficientNet's swish, squeeze-and-excitation (Multiply broadcasting (B, 1, 1, C)) and FixedDropout export.</summary>
    [Test]
    public void EfficientNetB0_Export_GivesTheEngineDetections_AtTwoImageSizes() =>
        RetinaNetOnnxEqualityTests.AssertEqualThroughOneFile("EfficientNetB0", 3, prepare: (model, _) => Calibrate(model));

    /// <summary>
    /// With the preprocessing in the graph, 'torch' mode (EfficientNet's) takes uint8 BGR pixels and gives the engine's
    /// detections on the same pixels normalised by <c>preprocess_image(..., "torch")</c>.
    /// </summary>
    [Test]
    public void IncludedTorchPreprocessing_TakesUint8Pixels_AndGivesTheEngineDetections()
    {
        keras.backend.clear_session();
        var folder = Directory.CreateTempSubdirectory("rn-onnx").FullName;
        try
        {
            using var scope = NewDisposeScope();
            var pixels = (rand(new long[] { 1, 96, 128, 3 }, generator: new TorchSharp.torch.Generator(7)) * 255).floor();
            var normalised = RetinaNet.Train.Utils.ImagePreprocessing.preprocess_image(pixels, "torch");
            // Full-width heads: 16-wide ones with their 0.01-deviation kernels give logits too flat to spread.
            var training = RetinaNetOnnxEqualityTests.SpreadScores(Calibrate(models.backbone("resnet18_8").retinanet(num_classes: 2), normalised), normalised);
            var inference = models.convert_model(training, score_threshold: 0, max_detections: 60);
            var path = Path.Combine(folder, "uint8.onnx");
            RetinaNetOnnx.export(inference, path, "torch", include_preprocessing: true);
            using var session = new InferenceSession(path);
            Assert.That(session.ModelMetadata.CustomMetadataMap[RetinaNetOnnx.PreprocessModeKey], Is.EqualTo("torch"));
            var compared = OnnxComparison.AssertSameDetections(OnnxComparison.Torch(inference, normalised),
                OnnxComparison.Ort(session, pixels, uint8: true));
            Assert.That(compared, Is.GreaterThanOrEqualTo(50));
        }
        finally { Directory.Delete(folder, true); }
    }
}
