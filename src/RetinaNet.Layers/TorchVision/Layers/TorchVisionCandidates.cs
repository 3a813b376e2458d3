using System.Text.Json.Nodes;
using RetinaNet.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RetinaNet.Layers.TorchVision;

/// <summary>
/// The per-level half of torchvision's <c>postprocess_detections</c>: inputs <c>[resized image (B, H, W, C),
/// regression (B, N, 4), classification (B, N, K)]</c>. Per pyramid level, the <see cref="topk_candidates"/> best
/// (anchor, class) scores (class-major flattening, as torchvision), their deltas decoded with
/// <see cref="TorchVisionBoxCoder"/> against <see cref="TorchVisionAnchorGenerator"/>'s anchors of the padded input, and
/// clipped to the resized (unpadded) image. Outputs <c>[boxes (B, M, 4), scores (B, M, K)]</c> with one row per
/// candidate holding its score in its class's column and zeros elsewhere; a candidate not above
/// <see cref="score_thresh"/> scores zero everywhere. <see cref="FilterDetections"/> (class-specific, NMS, strict
/// threshold) then finishes torchvision's step: the top-k of the candidates above the threshold are the candidates
/// of the top-k above it, so taking the top-k first and zeroing the rest selects the same detections.
/// </summary>
/// <param name="topk_candidates">Candidates per level (1000).</param>
/// <param name="score_thresh">Scores at or below it are dropped (0.05).</param>
/// <param name="name">Layer name.</param>
/// <param name="trainable">Keras base key (no weights).</param>
/// <param name="dtype">Keras base key.</param>
public class TorchVisionCandidates(int topk_candidates = 1000, double score_thresh = 0.05, string? name = null, bool trainable = true,
    string dtype = "float32") : Layer(name, trainable, dtype)
{
    /// <summary>Candidates per level.</summary>
    public int topk_candidates { get; } = topk_candidates > 0 ? topk_candidates : throw new ArgumentException($"topk_candidates must be positive (got {topk_candidates}).");
    /// <summary>Score threshold (strict).</summary>
    public double score_thresh { get; } = score_thresh;

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        if (inputs.Count != 3) throw LayerCallContext.WrongInputCount(3, inputs.Count);
        using var scope = NewDisposeScope();
        Tensor image = inputs[0], regression = inputs[1], classification = inputs[2];
        long height = image.shape[1], width = image.shape[2];
        long paddedH = TorchVisionInput.RoundUp(height), paddedW = TorchVisionInput.RoundUp(width);
        var anchors = TorchVisionAnchorGenerator.Generate(paddedH, paddedW, regression.device);
        var counts = TorchVisionAnchorGenerator.LevelCounts(paddedH, paddedW);
        if (anchors.shape[0] != regression.shape[1])
            throw new InvalidOperationException(
                $"The model gives {regression.shape[1]} rows for a {height}x{width} input, torchvision's anchors {anchors.shape[0]}.");
        long numClasses = classification.shape[2];
        using var classesScalar = numClasses.ToScalar();
        var threshold = tensor(score_thresh, classification.dtype, classification.device);
        var allBoxes = new List<Tensor>();
        var allScores = new List<Tensor>();
        for (long b = 0; b < image.shape[0]; b++)
        {
            var boxes = new List<Tensor>();
            var scores = new List<Tensor>();
            long start = 0;
            foreach (var count in counts)
            {
                var levelScores = classification[b].narrow(0, start, count).flatten();
                var k = (int)Math.Min(topk_candidates, levelScores.shape[0]);
                var (top, indices) = levelScores.topk(k);
                using var startScalar = start.ToScalar();
                var anchorIndices = indices.div(classesScalar, RoundingMode.floor).add(startScalar, HeldScalar.OfInteger(1));
                var labels = indices.remainder(classesScalar);
                var decoded = TorchVisionBoxCoder.Decode(regression[b].index_select(0, anchorIndices), anchors.index_select(0, anchorIndices));
                boxes.Add(TorchVisionPostprocess.Clip(decoded, (height, width)));
                var kept = where(top.gt(threshold), top, zeros_like(top));
                scores.Add(zeros(k, numClasses, classification.dtype, classification.device).scatter_(1, labels.unsqueeze(1), kept.unsqueeze(1)));
                start += count;
            }
            allBoxes.Add(cat(boxes, 0));
            allScores.Add(cat(scores, 0));
        }
        return new Tensors(stack(allBoxes).MoveToOuterDisposeScope(), stack(allScores).MoveToOuterDisposeScope());
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        if (input_shape.Count != 3) throw LayerCallContext.WrongInputCount(3, input_shape.Count);
        var batch = input_shape[1][0];
        return new Shapes(new[] { new Shape(batch, null, 4), new Shape(batch, null, input_shape[2][2]) });
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["topk_candidates"] = topk_candidates;
        config["score_thresh"] = score_thresh;
        return config;
    }
}
