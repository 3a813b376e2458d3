using System.Text.Json.Nodes;
using RetinaNet.Core;
using static TorchSharp.torch;

namespace RetinaNet.Layers;

/// <summary>
/// keras-retinanet's bias initializer for the classification head: every value is <c>-log((1 - p) / p)</c>, so that
/// the sigmoid of the untrained output is <paramref name="probability"/> (focal-loss paper, section 4.1).
/// For the default p = 0.01 that is -ln 99 ≈ -4.59512.
/// </summary>
/// <param name="probability">Prior probability of the foreground class.</param>
public class PriorProbability(double probability = 0.01) : Initializer
{
    /// <summary>Prior probability.</summary>
    public double probability { get; } = probability;

    /// <inheritdoc/>
    public override Tensor call(long[] shape, ScalarType dtype = ScalarType.Float32) =>
        full(shape, HeldScalar.Of(-Math.Log((1 - probability) / probability)), dtype);

    /// <inheritdoc/>
    public override JsonObject get_config() => new() { ["probability"] = probability };
}
