using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>Difference of exactly two tensors, first minus second (Keras <c>Subtract</c>).</summary>
public class Subtract : Merge
{
    /// <summary>Creates the layer.</summary>
    public Subtract(string? name = null, bool trainable = true, string dtype = "float32") : base(name, trainable, dtype) { }

    /// <inheritdoc/>
    protected override void CheckInputCount(Shapes shapes)
    {
        base.CheckInputCount(shapes);
        if (shapes.Count != 2)
            throw new ArgumentException($"A `Subtract` layer should be called on exactly 2 inputs. Received: {shapes.Count} inputs.");
    }

    /// <inheritdoc/>
    protected override Tensor Combine(Tensor a, Tensor b) => a - b;
}
