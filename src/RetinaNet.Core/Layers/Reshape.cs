using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>
/// Reshapes every sample to <c>target_shape</c>, keeping the batch axis (Keras <c>Reshape</c>). One entry may be
/// -1, inferred from the others. On NHWC tensors the order is Keras', e.g. <c>Reshape((-1, 4))</c> groups the
/// last axis in fours per pixel.
/// </summary>
public class Reshape : Layer
{
    /// <summary>Creates the layer; <paramref name="target_shape"/> excludes the batch axis.</summary>
    public Reshape(long[] target_shape, string? name = null, bool trainable = true, string dtype = "float32")
        : base(name, trainable, dtype)
    {
        if (target_shape.Count(d => d == -1) > 1)
            throw new ArgumentException($"There must be at most one unknown dimension in output_shape. Received: output_shape={Text(target_shape)}.");
        if (target_shape.Any(d => d < -1 || d == 0))
            throw new ArgumentException($"Reshape target_shape entries must be positive or -1, got {Text(target_shape)}.");
        this.target_shape = (long[])target_shape.Clone();
    }

    /// <summary>The shape of each sample (no batch axis); -1 marks the inferred axis.</summary>
    public long[] target_shape { get; }

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        Tensor x = inputs;
        return x.reshape(new[] { x.shape[0] }.Concat(target_shape).ToArray());
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        Shape s = input_shape;
        var output = target_shape.Select(d => (long?)d).ToArray();
        var unknown = Array.IndexOf(target_shape, -1L);
        var known = target_shape.Where(d => d != -1).Aggregate(1L, (a, b) => a * b);
        var sample = s.Skip(1);
        if (sample.IsFullyDefined)
        {
            var total = sample.ToLongArray().Aggregate(1L, (a, b) => a * b);
            if (unknown >= 0 ? known == 0 || total % known != 0 : total != known)
                throw new ArgumentException(
                    $"total size of new array must be unchanged, input_shape = {sample}, output_shape = {Text(target_shape)}");
            if (unknown >= 0) output[unknown] = total / known;
        }
        else if (unknown >= 0) output[unknown] = null;
        return new Shape(new[] { s[0] }.Concat(output).ToArray());
    }

    static string Text(long[] shape) => new Shape(shape).ToString();

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["target_shape"] = new JsonArray(target_shape.Select(d => (JsonNode)d).ToArray());
        return config;
    }
}
