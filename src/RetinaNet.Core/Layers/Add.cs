using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>Sum of a list of tensors (Keras <c>Add</c>), e.g. a residual connection.</summary>
public class Add : Merge
{
    /// <summary>Creates the layer.</summary>
    public Add(string? name = null, bool trainable = true, string dtype = "float32") : base(name, trainable, dtype) { }

    /// <inheritdoc/>
    protected override Tensor Combine(Tensor a, Tensor b) =>
        // In place into a when the model says nothing else sees it and the sum has a's shape and type.
        Overwritable.Contains(a) && a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype
            ? a.add_(b, HeldScalar.One)
            : a.add(b, HeldScalar.One);
}
