using RetinaNet.Core;
using static TorchSharp.torch;

namespace RetinaNet.Layers.TorchVision;

/// <summary>
/// torchvision's RetinaNet inference on our model: <see cref="TorchVisionTransform"/> → the training model built by
/// <see cref="TorchVisionRetinaNet"/> → anchors of <see cref="TorchVisionAnchorGenerator"/> →
/// <see cref="TorchVisionPostprocess"/>. Gives the detections <c>model.eval()(images)</c> gives in torchvision.
/// </summary>
public sealed class TorchVisionDetector
{
    /// <summary>Wraps a model built by <see cref="TorchVisionRetinaNet.Build"/> (or loaded from its .h5).</summary>
    public TorchVisionDetector(Model model, TorchVisionTransform? transform = null, TorchVisionPostprocess? postprocess = null)
    {
        RetinaNetBuilder.assert_training_model(model);
        this.model = model;
        this.transform = transform ?? new TorchVisionTransform();
        this.postprocess = postprocess ?? new TorchVisionPostprocess();
    }

    /// <summary>The training model.</summary>
    public Model model { get; }
    /// <summary>Resizing and normalisation.</summary>
    public TorchVisionTransform transform { get; }
    /// <summary>Score threshold, top-k, NMS and the detection limit.</summary>
    public TorchVisionPostprocess postprocess { get; }

    /// <summary>Detects objects in RGB images (H, W, 3) with values in [0, 1]; one result per image.</summary>
    public IReadOnlyList<TorchVisionDetections> Detect(IReadOnlyList<Tensor> images)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (batch, resized, original) = transform.Apply(images);
        var outputs = model.Apply((Tensors)batch, training: false);
        Tensor regression = outputs[0], classification = outputs[1];
        var anchors = TorchVisionAnchorGenerator.Generate(batch.shape[1], batch.shape[2], batch.device);
        var counts = TorchVisionAnchorGenerator.LevelCounts(batch.shape[1], batch.shape[2]);
        if (anchors.shape[0] != regression.shape[1])
            throw new InvalidOperationException(
                $"The model gives {regression.shape[1]} rows for a {batch.shape[1]}x{batch.shape[2]} input, torchvision's anchors {anchors.shape[0]}: " +
                "is it a torchvision ResNet-50-FPN RetinaNet?");
        var results = new List<TorchVisionDetections>();
        for (int i = 0; i < images.Count; i++)
        {
            var d = postprocess.Apply(regression[i], classification[i], anchors, counts, resized[i], original[i]);
            results.Add(new TorchVisionDetections(d.boxes.MoveToOuterDisposeScope(), d.scores.MoveToOuterDisposeScope(),
                d.labels.MoveToOuterDisposeScope()));
        }
        return results;
    }
}
