using Microsoft.ML.OnnxRuntime;
using RetinaNet.Layers.Onnx;
using RetinaNet.Layers.TorchVision;
using RetinaNet.Tests.Layers.TorchVision;
using RetinaNet.Train.Utils;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers.Onnx;

/// <summary>
/// A converted torchvision RetinaNet exports to ONNX and ONNX Runtime gives the TorchSharp path's detections:
/// torchvision's resize, padding to 32, anchors, box coder, per-level top-k and rescaling are in the graph, so the
/// file takes the normalised image at its own size. Two image sizes (landscape and portrait: other resized and padded
/// sizes), the tolerances of <see cref="RetinaNetOnnxEqualityTests"/>.
/// </summary>
[NonParallelizable]
public class TorchVisionOnnxEqualityTests
{
    [TestCase(TorchVisionVariant.V1)]
    [TestCase(TorchVisionVariant.V2)]
    public void ConvertedModel_ExportedToOnnx_GivesTheSameDetections(TorchVisionVariant variant)
    {
        var (path, image) = ConvertedTorchVisionModels.Shared(variant);
        var folder = Directory.CreateTempSubdirectory("rn-tv-onnx").FullName;
        try
        {
            var inference = TorchVisionRetinaNet.inference_model(ConvertedTorchVisionModels.Load(path), null,
                new TorchVisionTransform(ConvertedTorchVisionModels.MinSize, ConvertedTorchVisionModels.MaxSize));
            var onnx = Path.Combine(folder, "model.onnx");
            RetinaNetOnnx.export(inference, onnx);
            using var session = new InferenceSession(onnx);
            Assert.That(session.ModelMetadata.CustomMetadataMap[RetinaNetOnnx.PreprocessModeKey], Is.EqualTo("torchvision"));
            Assert.That(session.ModelMetadata.CustomMetadataMap[RetinaNetOnnx.ResizesInsideKey], Is.EqualTo("true"));
            var portrait = ConvertedTorchVisionModels.Image(folder, 150, 100, seed: 9);
            foreach (var file in new[] { image, portrait })
            {
                using var scope = NewDisposeScope();
                var input = ImagePreprocessing.preprocess_image(ImageIO.read_image_bgr(file), "torchvision").unsqueeze(0);
                var ours = OnnxComparison.Torch(inference, input);
                var theirs = OnnxComparison.Ort(session, input);
                Assert.That(OnnxComparison.AssertSameDetections(ours, theirs), Is.GreaterThanOrEqualTo(50), file);
            }
            OnnxComparison.AssertOnnxCheckerAccepts(onnx);
        }
        finally { Directory.Delete(folder, true); }
    }
}
