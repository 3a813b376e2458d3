using System.Text.Json.Nodes;
using RetinaNet.Core;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace RetinaNet.Layers.TorchVision;

/// <summary>
/// The first layer of a torchvision RetinaNet of ours: zero-pads the normalised NHWC batch at the bottom and right to
/// a multiple of <see cref="size_divisible"/> (torchvision's <c>batch_images</c>; a no-op on an input already padded),
/// so the model takes images of any size and its anchors are torchvision's. Its config is the model's recipe, which is
/// how a saved file says it is a torchvision RetinaNet and how to run it: the variant, the transform's sizes
/// (<see cref="transform"/>) and the post-processing (<see cref="postprocess"/>). Predict, evaluate, fine-tuning and
/// export read it with <see cref="TorchVisionRetinaNet.RecipeOf"/>.
/// </summary>
/// <param name="variant"><c>v1</c> or <c>v2</c>.</param>
/// <param name="min_size">Target short side of the transform (800).</param>
/// <param name="max_size">Largest long side of the transform (1333).</param>
/// <param name="size_divisible">Padding multiple (32).</param>
/// <param name="score_thresh">Post-processing score threshold (0.05).</param>
/// <param name="nms_thresh">Post-processing NMS IoU (0.5).</param>
/// <param name="detections_per_img">Detections kept per image (300).</param>
/// <param name="topk_candidates">Candidates kept per pyramid level (1000).</param>
/// <param name="name">Layer name.</param>
/// <param name="trainable">Keras base key (no weights).</param>
/// <param name="dtype">Keras base key.</param>
public class TorchVisionInput(string variant = "v1", int min_size = 800, int max_size = 1333, int size_divisible = 32,
    double score_thresh = 0.05, double nms_thresh = 0.5, int detections_per_img = 300, int topk_candidates = 1000,
    string? name = null, bool trainable = true, string dtype = "float32") : Layer(name, trainable, dtype)
{
    /// <summary>The variant, <c>v1</c> or <c>v2</c>.</summary>
    public TorchVisionVariant variant { get; } = TorchVisionVariants.Parse(variant);
    /// <summary>Target short side.</summary>
    public int min_size { get; } = min_size;
    /// <summary>Largest long side.</summary>
    public int max_size { get; } = max_size;
    /// <summary>Padding multiple.</summary>
    public int size_divisible { get; } = size_divisible > 0 ? size_divisible : throw new ArgumentException($"size_divisible must be positive (got {size_divisible}).");
    /// <summary>Score threshold of the post-processing.</summary>
    public double score_thresh { get; } = score_thresh;
    /// <summary>NMS IoU threshold of the post-processing.</summary>
    public double nms_thresh { get; } = nms_thresh;
    /// <summary>Detections per image.</summary>
    public int detections_per_img { get; } = detections_per_img;
    /// <summary>Candidates per level.</summary>
    public int topk_candidates { get; } = topk_candidates;

    /// <summary>The transform this model was made for.</summary>
    public TorchVisionTransform transform => new(min_size, max_size);

    /// <summary>The post-processing this model was made for.</summary>
    public TorchVisionPostprocess postprocess => new(score_thresh, nms_thresh, detections_per_img, topk_candidates);

    /// <summary>A side rounded up to the padding multiple.</summary>
    public static long RoundUp(long side, int multiple = TorchVisionTransform.SizeDivisible) => (side + multiple - 1) / multiple * multiple;

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        if (inputs.Count != 1) throw LayerCallContext.WrongInputCount(1, inputs.Count);
        var x = inputs[0];
        long padH = RoundUp(x.shape[1], size_divisible) - x.shape[1], padW = RoundUp(x.shape[2], size_divisible) - x.shape[2];
        if (padH == 0 && padW == 0) return x.alias();
        return F.pad(x, new[] { 0L, 0, 0, padW, 0, padH });
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        var s = input_shape.Single();
        long? Pad(long? d) => d is long v ? RoundUp(v, size_divisible) : null;
        return new Shape(s[0], Pad(s[1]), Pad(s[2]), s[3]);
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["variant"] = variant == TorchVisionVariant.V2 ? "v2" : "v1";
        config["min_size"] = min_size;
        config["max_size"] = max_size;
        config["size_divisible"] = size_divisible;
        config["score_thresh"] = score_thresh;
        config["nms_thresh"] = nms_thresh;
        config["detections_per_img"] = detections_per_img;
        config["topk_candidates"] = topk_candidates;
        return config;
    }
}
