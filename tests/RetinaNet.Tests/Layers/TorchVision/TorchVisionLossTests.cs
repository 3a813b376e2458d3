using RetinaNet.Core;
using RetinaNet.Layers.TorchVision;
using RetinaNet.Layers.TorchVision.Checkpoints;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers.TorchVision;

/// <summary>
/// The training losses of one batch (two images of different sizes, three boxes) against torchvision 0.14's
/// <c>model(images, targets)</c> with FrozenBatchNorm2d in the backbone: focal + L1 for v1, focal + GIoU for v2.
/// </summary>
[NonParallelizable]
public class TorchVisionLossTests
{
    [TestCase("v1", "v1.pth")]
    [TestCase("v2", "v2.safetensors")]
    public void TrainingLossesOfOneBatch_EqualTorchvisions(string variant, string file)
    {
        var folder = TorchVisionReference.Folder;
        var reference = StateDict.Load(Path.Combine(folder, "reference.safetensors"));
        var parsed = TorchVisionVariants.Parse(variant);
        var model = TorchVisionWeights.LoadModel(Path.Combine(folder, file), parsed, num_classes: 3);
        var transform = new TorchVisionTransform(min_size: 128, max_size: 200);
        var (batch, resized, original) = transform.Apply(new[] { reference["image.0"], reference["image.1"] });
        var outputs = model.Apply((Tensors)batch, training: true);
        var anchors = TorchVisionAnchorGenerator.Generate(batch.shape[1], batch.shape[2]);
        var boxes = new List<Tensor>();
        for (int i = 0; i < 2; i++)
        {
            // torchvision's resize_boxes: multiplied by the float32 ratio of the new to the original size.
            float rh = (float)resized[i].height / original[i].height, rw = (float)resized[i].width / original[i].width;
            boxes.Add(reference[$"target.{i}.boxes"].mul(tensor(new[] { rw, rh, rw, rh })));
        }
        var labels = new[] { reference["target.0.labels"], reference["target.1.labels"] };
        var (classification, regression) = TorchVisionLoss.Compute(outputs[0], outputs[1], anchors, boxes, labels, parsed.BoxLoss());
        var expectedClass = reference[$"{variant}.loss.classification"].item<float>();
        var expectedBox = reference[$"{variant}.loss.bbox_regression"].item<float>();
        TestContext.Out.WriteLine($"{variant}: classification {classification.item<float>()} (torchvision {expectedClass}), " +
            $"box {regression.item<float>()} (torchvision {expectedBox})");
        Assert.That(classification.item<float>(), Is.EqualTo(expectedClass).Within(1e-4));
        Assert.That(regression.item<float>(), Is.EqualTo(expectedBox).Within(1e-4));
    }
}
