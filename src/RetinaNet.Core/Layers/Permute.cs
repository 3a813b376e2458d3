using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>
/// Reorders the axes of each sample (Keras <c>Permute</c>). <c>dims</c> counts from 1 and excludes the batch
/// axis: <c>Permute((2, 1))</c> swaps the two axes after the batch. The result is a view.
/// </summary>
public class Permute : Layer
{
    /// <summary>Creates the layer.</summary>
    public Permute(int[] dims, string? name = null, bool trainable = true, string dtype = "float32")
        : base(name, trainable, dtype)
    {
        if (!dims.Order().SequenceEqual(Enumerable.Range(1, dims.Length)))
            throw new ArgumentException(
                $"Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` must be consecutive and start from 1. Received dims=({string.Join(", ", dims)})");
        this.dims = (int[])dims.Clone();
        input_spec = new InputSpec { ndim = dims.Length + 1 };
    }

    /// <summary>The new order of the axes after the batch, 1-based.</summary>
    public int[] dims { get; }

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false) =>
        ((Tensor)inputs).permute(new long[] { 0 }.Concat(dims.Select(d => (long)d)).ToArray());

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        Shape s = input_shape;
        return new Shape(new[] { s[0] }.Concat(dims.Select(d => s[d])).ToArray());
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["dims"] = new JsonArray(dims.Select(d => (JsonNode)d).ToArray());
        return config;
    }
}
