using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>Element-wise product of a list of tensors (Keras <c>Multiply</c>).</summary>
public class Multiply : Merge
{
    /// <summary>Creates the layer.</summary>
    public Multiply(string? name = null, bool trainable = true, string dtype = "float32") : base(name, trainable, dtype) { }

    /// <inheritdoc/>
    protected override Tensor Combine(Tensor a, Tensor b) => a * b;
}
