namespace RetinaNet.Core;

/// <summary>A fixed list of prepared batches as an <see cref="IDataSource"/> (the batches are not disposed by fit).</summary>
public sealed class BatchList : IDataSource
{
    readonly IReadOnlyList<(Tensors x, Tensors y)> batches;

    /// <summary>Wraps the batches, in order.</summary>
    public BatchList(IEnumerable<(Tensors x, Tensors y)> batches) => this.batches = batches.ToList();

    /// <inheritdoc/>
    public int Count => batches.Count;

    /// <inheritdoc/>
    public (Tensors x, Tensors y) this[int index] => batches[index];
}
