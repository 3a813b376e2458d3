using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// In-memory inputs and targets cut into batches along the first axis (what <c>fit(x, y, batch_size)</c> does in
/// Keras); the last batch may be smaller. With <c>shuffle</c> the order is redrawn before each pass.
/// </summary>
public sealed class TensorDataSource : IDataSource
{
    readonly Tensors x;
    readonly Tensors y;
    readonly long samples;
    Tensor? order;

    /// <summary>Creates the source; <paramref name="y"/> may be null for prediction.</summary>
    public TensorDataSource(Tensors x, Tensors? y = null, int batch_size = 32, bool shuffle = false)
    {
        if (batch_size <= 0) throw new ArgumentException($"batch_size must be positive, received {batch_size}.");
        if (x.Count == 0) throw new ArgumentException("No input data was given.");
        this.x = x;
        this.y = y ?? new Tensors();
        this.batch_size = batch_size;
        this.shuffle = shuffle;
        samples = x[0].shape[0];
        var sizes = x.Concat(this.y).Select(t => t.dim() == 0 ? -1 : t.shape[0]).ToList();
        if (sizes.Any(s => s != samples))
            throw new ArgumentException(
                $"Data cardinality is ambiguous:\n  x sizes: {string.Join(", ", x.Select(t => t.dim() == 0 ? "scalar" : t.shape[0].ToString()))}\n" +
                $"  y sizes: {string.Join(", ", this.y.Select(t => t.dim() == 0 ? "scalar" : t.shape[0].ToString()))}\n" +
                "Make sure all arrays contain the same number of samples.");
        if (shuffle) Reshuffle();
    }

    /// <summary>Samples per batch.</summary>
    public int batch_size { get; }

    /// <summary>Whether samples are drawn in a new random order each pass.</summary>
    public bool shuffle { get; }

    /// <inheritdoc/>
    public int Count => (int)((samples + batch_size - 1) / batch_size);

    /// <inheritdoc/>
    public (Tensors x, Tensors y) this[int index]
    {
        get
        {
            if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index), $"Batch {index} of {Count}.");
            long start = (long)index * batch_size, length = Math.Min(batch_size, samples - start);
            return (Take(x, start, length), Take(y, start, length));
        }
    }

    Tensors Take(Tensors data, long start, long length)
    {
        // Without shuffling a batch is a view (narrow); with it, a gather of this pass' indices.
        var taken = data.Select(t => order is null
            ? t.narrow(0, start, length)
            : t.index_select(0, order.narrow(0, start, length).to(t.device))).ToArray();
        return data.IsList ? new Tensors(taken) : taken[0];
    }

    /// <inheritdoc/>
    public void on_epoch_end()
    {
        if (shuffle) Reshuffle();
    }

    void Reshuffle()
    {
        order?.Dispose();
        order = randperm(samples, dtype: ScalarType.Int64).DetachFromDisposeScope();
    }
}
