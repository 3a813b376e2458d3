namespace RetinaNet.Core;

/// <summary>
/// Walks an <see cref="IDataSource"/> batch after batch across epochs. As Keras does with a Sequence,
/// <c>steps_per_epoch</c> may differ from the source's length: reading continues where the previous epoch stopped,
/// and <c>on_epoch_end</c> is called after each full pass over the source.
/// </summary>
internal sealed class DataCursor(IDataSource source)
{
    int next;

    /// <summary>The current batch.</summary>
    public (Tensors x, Tensors y) Current => source[next];

    /// <summary>Moves to the next batch, closing the pass when the source is exhausted.</summary>
    public void Advance()
    {
        if (++next < source.Count) return;
        next = 0;
        source.on_epoch_end();
    }
}
