using RetinaNet.Core;
using RetinaNet.Train.Preprocessing;
using Generator = RetinaNet.Train.Preprocessing.Generator;

namespace RetinaNet.Train.Training;

/// <summary>
/// Feeds a <see cref="Generator"/> to <c>fit</c>: batch i of pass p is the generator's batch i of epoch p, prepared
/// ahead on background workers so the model never waits for image decoding. Targets are
/// <c>[regression, classification]</c> from the generator's anchor-target step.
/// </summary>
public sealed class GeneratorDataSource : IDataSource, IDisposable
{
    readonly Generator generator;
    readonly int workers;
    readonly int maxQueueSize;
    IEnumerator<Batch>? batches;
    long nextStep = -1;
    long pass;

    /// <summary>Wraps a generator whose <c>compute_anchor_targets</c> is set.</summary>
    public GeneratorDataSource(Generator generator, int workers = 1, int max_queue_size = 10, int initial_pass = 0)
    {
        if (generator.compute_anchor_targets is null)
            throw new ArgumentException("The generator computes no anchor targets; set compute_anchor_targets first.");
        this.generator = generator;
        this.workers = Math.Max(1, workers);
        maxQueueSize = max_queue_size;
        pass = initial_pass;
    }

    /// <inheritdoc/>
    public int Count => generator.Count;

    /// <inheritdoc/>
    public (Tensors x, Tensors y) this[int index]
    {
        get
        {
            var step = pass * Count + index;
            if (batches is null || step != nextStep)
            {
                // Sequential access streams from the prefetching loader; any jump restarts it at the new step.
                batches?.Dispose();
                batches = PrefetchingLoader.ForGenerator(generator, long.MaxValue / 4, step, workers, maxQueueSize).GetEnumerator();
            }
            if (!batches.MoveNext()) throw new InvalidOperationException("The batch loader ended unexpectedly.");
            nextStep = step + 1;
            var batch = batches.Current;
            return (batch.inputs, new Tensors(batch.regression!, batch.classification!));
        }
    }

    /// <inheritdoc/>
    public void on_epoch_end() => pass++;

    /// <inheritdoc/>
    public void Dispose() => batches?.Dispose();
}
