using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// Batches for <c>fit</c> and <c>evaluate</c>, like <c>keras.utils.Sequence</c> (what keras-retinanet's generators
/// are): a number of batches per pass, random access to each, and a hook after each full pass (to reshuffle).
/// </summary>
/// <remarks>
/// Tensors created by the indexer during training are disposed after their step, so a source that caches
/// batches must create them outside <c>fit</c> (as <see cref="BatchList"/> does). <c>x</c> lists the model's
/// inputs in order; <c>y</c> the targets of its outputs in order (or of the outputs that have a loss).
/// </remarks>
public interface IDataSource
{
    /// <summary>Batches in one pass over the data (Keras' <c>len(sequence)</c>).</summary>
    int Count { get; }

    /// <summary>Batch <paramref name="index"/> (0 ≤ index &lt; Count): inputs and targets.</summary>
    (Tensors x, Tensors y) this[int index] { get; }

    /// <summary>Called after each full pass over the data.</summary>
    void on_epoch_end() { }
}
