using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>Sum of a list of tensors (Keras <c>Add</c>), e.g. a residual connection.</summary>
public class Add : Merge
{
    /// <summary>Creates the layer.</summary>
    public Add(string? name = null, bool trainable = true, string dtype = "float32") : base(name, trainable, dtype) { }

    /// <inheritdoc/>
    protected override Tensor Combine(Tensor a, Tensor b) => a + b;
}
