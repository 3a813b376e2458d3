using System.Text.Json.Nodes;
using RetinaNet.Core;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace RetinaNet.Layers.TorchVision;

/// <summary>
/// torchvision's resize step in the inference model: the normalised NHWC batch is resized bilinearly
/// (<c>align_corners=False</c>) so the short side becomes <see cref="min_size"/> unless the long side would exceed
/// <see cref="max_size"/>, with the scale and sizes of <see cref="TorchVisionTransform.ResizedSize"/>. In the graph
/// because torchvision rescales boxes per axis (resized / original size), which the model does at its end
/// (<see cref="TorchVisionRescaleBoxes"/>), so its detections are in the input image's pixels.
/// </summary>
/// <param name="min_size">Target short side.</param>
/// <param name="max_size">Largest long side.</param>
/// <param name="name">Layer name.</param>
/// <param name="trainable">Keras base key (no weights).</param>
/// <param name="dtype">Keras base key.</param>
public class TorchVisionResize(int min_size = 800, int max_size = 1333, string? name = null, bool trainable = true, string dtype = "float32")
    : Layer(name, trainable, dtype)
{
    /// <summary>Target short side.</summary>
    public int min_size { get; } = min_size > 0 ? min_size : throw new ArgumentException($"min_size must be positive (got {min_size}).");
    /// <summary>Largest long side.</summary>
    public int max_size { get; } = max_size > 0 ? max_size : throw new ArgumentException($"max_size must be positive (got {max_size}).");

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        if (inputs.Count != 1) throw LayerCallContext.WrongInputCount(1, inputs.Count);
        using var scope = NewDisposeScope();
        var x = inputs[0];
        var (_, h, w) = new TorchVisionTransform(min_size, max_size).ResizedSize(x.shape[1], x.shape[2]);
        var resized = F.interpolate(x.permute(0, 3, 1, 2).contiguous(), new[] { h, w }, mode: InterpolationMode.Bilinear, align_corners: false);
        return resized.permute(0, 2, 3, 1).contiguous().MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        var s = input_shape.Single();
        return new Shape(s[0], null, null, s[3]);
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["min_size"] = min_size;
        config["max_size"] = max_size;
        return config;
    }
}
