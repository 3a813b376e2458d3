using RetinaNet.Core;
using static TorchSharp.torch;

namespace RetinaNet.Layers;

/// <summary>
/// Clips boxes to the network input (keras-retinanet <c>ClipBoxes</c>): inputs <c>[image (B, H, W, C), boxes (B, N, 4)]</c>;
/// x1 and x2 go to [0, W-1], y1 and y2 to [0, H-1], with H and W of the (padded) image tensor.
/// </summary>
public class ClipBoxes(string? name = null, bool trainable = true, string dtype = "float32") : Layer(name, trainable, dtype)
{
    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        if (inputs.Count != 2) throw LayerCallContext.WrongInputCount(2, inputs.Count);
        Tensor image = inputs[0], boxes = inputs[1];
        float height = image.shape[1], width = image.shape[2];
        using var upper = tensor(new[] { width - 1, height - 1, width - 1, height - 1 }, boxes.dtype, boxes.device);
        // TensorFlow's clip_by_value takes the minimum with the upper bound first, then the maximum with 0.
        using var below = boxes.minimum(upper);
        return below.clamp_min(HeldScalar.OfInteger(0));
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        if (input_shape.Count != 2) throw LayerCallContext.WrongInputCount(2, input_shape.Count);
        return input_shape[1];
    }
}
