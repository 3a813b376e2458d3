using RetinaNet.Core;
using RetinaNet.Train.Preprocessing;
using Generator = RetinaNet.Train.Preprocessing.Generator;

namespace RetinaNet.Train.Training;

/// <summary>
/// Feeds a <see cref="Generator"/> to <c>fit</c>: the n-th batch asked for is the generator's global batch
/// <c>initial_step + n</c> (batch <c>step mod Count</c> of its pass <c>step / Count</c>), prepared ahead on background
/// workers so the model never waits for image decoding. A resumed run starts at the step where the earlier run
/// stopped, so it sees the batches an uninterrupted run would, whatever the steps per epoch. Targets are
/// <c>[regression, classification]</c> from the generator's anchor-target step.
/// </summary>
public sealed class GeneratorDataSource : IDataSource, IDisposable
{
    readonly Generator generator;
    readonly int workers;
    readonly int maxQueueSize;
    IEnumerator<Batch>? batches;
    long nextStep = -1;
    readonly long initialStep;
    long passes;

    /// <summary>Wraps a generator whose <c>compute_anchor_targets</c> is set.</summary>
    /// <param name="generator">The batches.</param>
    /// <param name="workers">Threads preparing batches.</param>
    /// <param name="max_queue_size">Batches prepared ahead.</param>
    /// <param name="initial_step">Global batches already trained (a resumed run's start).</param>
    public GeneratorDataSource(Generator generator, int workers = 1, int max_queue_size = 10, long initial_step = 0)
    {
        if (generator.compute_anchor_targets is null)
            throw new ArgumentException("The generator computes no anchor targets; set compute_anchor_targets first.");
        this.generator = generator;
        this.workers = Math.Max(1, workers);
        maxQueueSize = max_queue_size;
        initialStep = initial_step;
    }

    /// <inheritdoc/>
    public int Count => generator.Count;

    /// <inheritdoc/>
    public (Tensors x, Tensors y) this[int index]
    {
        get
        {
            var step = initialStep + passes * Count + index;
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
    public void on_epoch_end() => passes++;

    /// <inheritdoc/>
    public void Dispose() => batches?.Dispose();
}
