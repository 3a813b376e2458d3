using System.Text.Json.Nodes;
using RetinaNet.Core;
using static TorchSharp.torch;

namespace RetinaNet.Layers;

/// <summary>
/// Applies the regression head's deltas to the anchors (keras-retinanet <c>RegressBoxes</c>): inputs
/// <c>[anchors (B, N, 4), regression (B, N, 4)]</c>, output boxes (B, N, 4) via
/// <see cref="Utils.BoxTransform.bbox_transform_inv"/> with the normalisation <paramref name="mean"/> / <paramref name="std"/>.
/// </summary>
/// <param name="mean">Mean of the normalised deltas, four values (default 0).</param>
/// <param name="std">Standard deviation of the normalised deltas, four values (default 0.2).</param>
/// <param name="name">Layer name.</param>
/// <param name="trainable">Keras base key (no weights).</param>
/// <param name="dtype">Keras base key.</param>
public class RegressBoxes(double[]? mean = null, double[]? std = null, string? name = null, bool trainable = true, string dtype = "float32")
    : Layer(name, trainable, dtype)
{
    /// <summary>Mean of the normalised deltas (x1, y1, x2, y2).</summary>
    public double[] mean { get; } = Utils.BoxTransform.CheckStatistic(mean, 0.0, nameof(mean));

    /// <summary>Standard deviation of the normalised deltas (x1, y1, x2, y2).</summary>
    public double[] std { get; } = Utils.BoxTransform.CheckStatistic(std, 0.2, nameof(std));

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        if (inputs.Count != 2) throw LayerCallContext.WrongInputCount(2, inputs.Count);
        return Utils.BoxTransform.bbox_transform_inv(inputs[0], inputs[1], mean, std);
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        if (input_shape.Count != 2) throw LayerCallContext.WrongInputCount(2, input_shape.Count);
        return input_shape[0];
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["mean"] = new JsonArray(mean.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
        config["std"] = new JsonArray(std.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
        return config;
    }
}
