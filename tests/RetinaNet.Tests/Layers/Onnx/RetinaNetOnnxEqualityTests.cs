using Microsoft.ML.OnnxRuntime;
using RetinaNet.Core;
using RetinaNet.Layers;
using RetinaNet.Layers.Onnx;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers.Onnx;

/// <summary>
/// Export → ONNX Runtime gives the TorchSharp path's detections. Random heads score every anchor near the prior
/// (0.01), so the classification weights are spread (as a brief training would) and the score threshold is 0: every
/// one of max_detections rows is a real detection, found through NMS over all anchors.
/// </summary>
public class RetinaNetOnnxEqualityTests
{
    internal static readonly (int height, int width)[] Sizes = { (128, 160), (192, 128) };

    /// <summary>
    /// Rescales the regression head to O(1) deltas, and the classification head so that its logits on <paramref name="image"/> have mean −1 and standard
    /// deviation 3: scores spread over (0, 1) without saturating (saturated scores tie at 1.0, and a tie broken by
    /// one rounding differently is not a difference between the engines worth testing).
    /// </summary>
    internal static Model SpreadScores(Model training, Tensor image)
    {
        using var scope = NewDisposeScope();
        // Regression deltas of a trained model are O(1); random ResNet features make them huge (and boxes degenerate).
        var regression = RetinaNetBuilder.FindLayer(training, "pyramid_regression")!;
        var deltas = training.predict_on_batch(image)[0];
        var deltaStd = deltas.std().item<float>();
        if (deltaStd > 1) regression.set_weights(new[] { regression.get_weights()[0] / deltaStd, regression.get_weights()[1] });
        var head = (RetinaNet.Core.Layers.Conv2D)RetinaNetBuilder.FindLayer(training, "pyramid_classification")!;
        var submodel = (Model)training.get_layer("classification_submodel");
        // The head's logits on P3 (before the sigmoid), through models sharing the trained layers.
        var p3 = keras.Model(training.inputs, training.get_layer("P3").output).predict_on_batch(image)[0];
        var logits = keras.Model(submodel.inputs, head.output).predict_on_batch(p3)[0].to(ScalarType.Float64);
        var w = head.get_weights();
        var conv = logits - w[1].to(ScalarType.Float64).mean();
        double mean = conv.mean().item<double>(), std = conv.std().item<double>();
        // An untrained MobileNet's features are nearly constant: nothing to spread, and its scores tie everywhere.
        if (std < 1e-3) return training;
        var s = 3 / std;
        head.set_weights(new[] { w[0] * s, (w[1] - w[1].mean()) * s + (-1 - mean * s) });
        return training;
    }

    /// <summary>
    /// A small inference model with many distinct detections: resnet18_8 with FPN and head width 16, scores spread by
    /// <see cref="SpreadScores"/> on a 96x128 test image, no score threshold.
    /// </summary>
    internal static Model SpreadInferenceModel(int numClasses, int maxDetections)
    {
        using var probe = TestImage(96, 128, "caffe", 0);
        var training = SpreadScores(models.backbone("resnet18_8").retinanet(num_classes: numClasses,
            options: new RetinaNetOptions { feature_size = 16, head_feature_size = 16 }), probe);
        return models.convert_model(training, score_threshold: 0, max_detections: maxDetections);
    }

    internal static Tensor TestImage(int height, int width, string mode, long seed)
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        var pixels = (rand(new long[] { 1, height, width, 3 }, generator: generator) * 255).floor();
        var normalised = mode switch
        {
            "caffe" => pixels - tensor(new[] { 103.939f, 116.779f, 123.68f }),
            "torch" => (pixels / 255 - tensor(new[] { 0.485f, 0.456f, 0.406f })) / tensor(new[] { 0.229f, 0.224f, 0.225f }),
            _ => pixels / 127.5 - 1.0,
        };
        return normalised.MoveToOuterDisposeScope();
    }

    internal static void AssertEqualThroughOneFile(string backbone, int numClasses, bool classSpecific = true, bool nms = true,
        Func<Model, Tensor, Model>? prepare = null)
    {
        keras.backend.clear_session();
        var folder = Directory.CreateTempSubdirectory("rn-onnx").FullName;
        try
        {
            var bb = models.backbone(backbone);
            using var first = TestImage(Sizes[0].height, Sizes[0].width, bb.preprocess_mode, 0);
            var training = SpreadScores((prepare ?? ((m, _) => m))(bb.retinanet(num_classes: numClasses), first), first);
            var inference = models.convert_model(training, nms: nms, class_specific_filter: classSpecific, score_threshold: 0, max_detections: 100);
            var path = Path.Combine(folder, "model.onnx");
            RetinaNetOnnx.export(inference, path, bb.preprocess_mode);
            using var session = new InferenceSession(path);
            int seed = 0;
            foreach (var (height, width) in Sizes)
            {
                using var image = TestImage(height, width, bb.preprocess_mode, seed++);
                var ours = OnnxComparison.Torch(inference, image);
                var theirs = OnnxComparison.Ort(session, image);
                Assert.That(OnnxComparison.AssertSameDetections(ours, theirs), Is.GreaterThanOrEqualTo(50), $"{height}x{width}");
            }
            OnnxComparison.AssertOnnxCheckerAccepts(path);
        }
        finally { Directory.Delete(folder, true); }
    }

    /// <summary>
    /// A ResNet-50 training model saved as a keras-retinanet .h5, exported by the CLI on the way to inference
    /// (<c>retinanet export --from-training-model</c>), gives the detections of the same file loaded and converted
    /// by the engine, at two image sizes through the one file.
    /// </summary>
    [Test]
    public void ResNet50_KerasRetinanetH5_ExportedByCli_GivesTheEngineDetections_AtTwoImageSizes()
    {
        keras.backend.clear_session();
        var folder = Directory.CreateTempSubdirectory("rn-onnx").FullName;
        try
        {
            using var first = TestImage(Sizes[0].height, Sizes[0].width, "caffe", 0);
            var h5 = Path.Combine(folder, "training.h5");
            SpreadScores(models.backbone("resnet50").retinanet(num_classes: 3), first).save(h5);
            var onnx = Path.Combine(folder, "model.onnx");
            var code = RetinaNet.Train.Program.Main(new[] { "export", h5, onnx, "--backbone", "resnet50", "--from-training-model",
                "--score-threshold", "0", "--max-detections", "100" });
            Assert.That(code, Is.EqualTo(0), "retinanet export");

            var inference = models.convert_model(models.load_model(h5, "resnet50", compile: false), score_threshold: 0, max_detections: 100);
            using var session = new InferenceSession(onnx);
            Assert.That(session.ModelMetadata.CustomMetadataMap[RetinaNetOnnx.PreprocessModeKey], Is.EqualTo("caffe"));
            int seed = 0;
            foreach (var (height, width) in Sizes)
            {
                using var image = TestImage(height, width, "caffe", seed++);
                var compared = OnnxComparison.AssertSameDetections(OnnxComparison.Torch(inference, image), OnnxComparison.Ort(session, image));
                Assert.That(compared, Is.GreaterThanOrEqualTo(50), $"{height}x{width}");
            }
            OnnxComparison.AssertOnnxCheckerAccepts(onnx);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Test]
    public void ResNet18_16_Export_GivesTheEngineDetections_AtTwoImageSizes() => AssertEqualThroughOneFile("resnet18_16", 4);

    [Test]
    public void ResNet18_16_ClassAgnosticExport_GivesTheEngineDetections() => AssertEqualThroughOneFile("resnet18_16", 4, classSpecific: false);

    [Test]
    public void ResNet18_16_ExportWithoutNms_GivesTheEngineDetections() => AssertEqualThroughOneFile("resnet18_16", 2, nms: false);

    [Test]
    public void MobileNet_Export_GivesTheEngineDetections_AtTwoImageSizes() => AssertEqualThroughOneFile("mobilenet128_0.25", 3);

    /// <summary>
    /// The other backbone families export too. VGG and DenseNet pool with floor rounding, so their pyramid sizes are
    /// not ceil(dim/2^level): the exported anchors follow the feature maps' run-time shapes, as the engine's do.
    /// Compared without NMS: their untrained features are constant over zero-padded borders, so neighbouring anchors
    /// tie exactly, and which of two tied, overlapping boxes NMS keeps depends on the last bit of each engine's score
    /// (the NMS export itself is proven on ResNet and MobileNet above).
    /// </summary>
    [TestCase("vgg16")]
    [TestCase("densenet121")]
    [TestCase("seresnet18")]
    public void OtherBackbones_Export_GivesTheEngineDetections_AtTwoImageSizes(string backbone) => AssertEqualThroughOneFile(backbone, 3, nms: false);
}
