using RetinaNet.Core;
using static TorchSharp.torch;

namespace RetinaNet.Layers.TorchVision;

/// <summary>
/// torchvision's <c>transform.postprocess</c>: inputs <c>[original image (B, H, W, C), resized image (B, H', W', C),
/// boxes (B, D, 4)]</c>; boxes are divided by the per-axis ratios <c>H' / H</c> and <c>W' / W</c> (float32, as
/// torchvision), back into the original image's pixels. Padding rows (x1 = −1, from <see cref="FilterDetections"/>)
/// stay −1.
/// </summary>
public class TorchVisionRescaleBoxes(string? name = null, bool trainable = true, string dtype = "float32") : Layer(name, trainable, dtype)
{
    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        if (inputs.Count != 3) throw LayerCallContext.WrongInputCount(3, inputs.Count);
        using var scope = NewDisposeScope();
        Tensor original = inputs[0], resized = inputs[1], boxes = inputs[2];
        float ratioH = (float)resized.shape[1] / original.shape[1], ratioW = (float)resized.shape[2] / original.shape[2];
        var ratios = tensor(new[] { ratioW, ratioH, ratioW, ratioH }, device: boxes.device).to(boxes.dtype);
        var padding = boxes.narrow(2, 0, 1).eq(HeldScalar.Of(-1));
        return where(padding, boxes, boxes.div(ratios)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        if (input_shape.Count != 3) throw LayerCallContext.WrongInputCount(3, input_shape.Count);
        return input_shape[2];
    }
}
