using System.Collections;
using System.Collections.Concurrent;

namespace RetinaNet.Train.Preprocessing;

/// <summary>Creates <see cref="PrefetchingLoader{T}"/>s over generators.</summary>
public static class PrefetchingLoader
{
    /// <summary>
    /// Batches of <paramref name="generator"/> for the global steps <paramref name="first_step"/> ..
    /// first_step + steps - 1, step s being batch <c>s mod Count</c> of pass <c>s div Count</c> over the dataset (each
    /// pass has its own group order and augmentation, like Keras cycling through a Sequence). Prepared on
    /// <paramref name="workers"/> threads, yielded in step order, identical for any number of workers.
    /// </summary>
    public static PrefetchingLoader<Batch> ForGenerator(Generator generator, long steps, long first_step = 0, int workers = 1,
        int max_queue_size = 10, CancellationToken cancellation = default)
    {
        int count = generator.Count;
        if (count == 0) throw new ArgumentException("the generator has no batches (empty dataset).");
        return new PrefetchingLoader<Batch>(
            step => generator.get_batch((int)((first_step + step) % count), (int)((first_step + step) / count)),
            steps, workers, max_queue_size, dispose_consumed: true, cancellation);
    }
}

/// <summary>
/// Prepares items 0..count-1 ahead of their use on background worker threads and yields them in index order.
/// At most <c>max_queue_size</c> items are prepared or in preparation beyond the one last yielded. An exception
/// thrown while preparing item i is rethrown unchanged (same type and message) when the enumeration reaches i.
/// Disposing the enumerator (leaving a <c>foreach</c>) or cancelling stops the workers, waits for them and disposes
/// every prepared item that was not yielded.
/// </summary>
/// <remarks>
/// Items must own their tensors: the producer must return tensors that are not registered in a dispose scope of the
/// worker thread (create them outside one, or move them out, as <see cref="Generator.get_batch"/> does). With
/// <c>dispose_consumed</c> (the default) an item is valid until the enumeration moves on, which then disposes it.
/// </remarks>
public sealed class PrefetchingLoader<T> : IEnumerable<T> where T : class, IDisposable
{
    private readonly Func<long, T> produce;
    private readonly long count;
    private readonly int workers;
    private readonly int max_queue_size;
    private readonly bool dispose_consumed;
    private readonly CancellationToken cancellation;

    /// <summary>Describes the work; nothing runs until enumeration starts (each enumeration starts afresh).</summary>
    /// <param name="produce">Prepares item i; called concurrently from worker threads.</param>
    /// <param name="count">Number of items.</param>
    /// <param name="workers">Worker threads.</param>
    /// <param name="max_queue_size">Items prepared ahead at most.</param>
    /// <param name="dispose_consumed">Dispose each yielded item when the enumeration moves past it.</param>
    /// <param name="cancellation">Stops the workers; a waiting enumeration throws <see cref="OperationCanceledException"/>.</param>
    public PrefetchingLoader(Func<long, T> produce, long count, int workers = 1, int max_queue_size = 10,
        bool dispose_consumed = true, CancellationToken cancellation = default)
    {
        if (count < 0) throw new ArgumentException($"count must not be negative, got {count}.");
        if (workers < 1) throw new ArgumentException($"workers must be at least 1, got {workers}.");
        if (max_queue_size < 1) throw new ArgumentException($"max_queue_size must be at least 1, got {max_queue_size}.");
        this.produce = produce;
        this.count = count;
        this.workers = workers;
        this.max_queue_size = max_queue_size;
        this.dispose_consumed = dispose_consumed;
        this.cancellation = cancellation;
    }

    /// <summary>Number of items.</summary>
    public long Count => count;

    /// <summary>Starts the workers and enumerates the items in order.</summary>
    public IEnumerator<T> GetEnumerator() => new Enumerator(this);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed class Enumerator : IEnumerator<T>
    {
        private readonly PrefetchingLoader<T> loader;
        private readonly ConcurrentDictionary<long, TaskCompletionSource<T>> slots = new();
        private readonly SemaphoreSlim free;
        private readonly CancellationTokenSource stop;
        private readonly Task[] tasks;
        private long claimed = -1;
        private long position = -1;
        private T? current;
        private bool disposed;

        public Enumerator(PrefetchingLoader<T> loader)
        {
            this.loader = loader;
            free = new SemaphoreSlim(loader.max_queue_size, loader.max_queue_size);
            stop = CancellationTokenSource.CreateLinkedTokenSource(loader.cancellation);
            tasks = Enumerable.Range(0, (int)Math.Min(loader.workers, Math.Max(1, loader.count)))
                .Select(_ => Task.Factory.StartNew(Work, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default))
                .ToArray();
        }

        public T Current => current ?? throw new InvalidOperationException("the enumeration has not started or has ended.");

        object IEnumerator.Current => Current;

        private TaskCompletionSource<T> Slot(long index) =>
            slots.GetOrAdd(index, _ => new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously));

        private void Work()
        {
            var token = stop.Token;
            while (!token.IsCancellationRequested)
            {
                try { free.Wait(token); }
                catch (OperationCanceledException) { return; }
                long index = Interlocked.Increment(ref claimed);
                if (index >= loader.count) return;
                var slot = Slot(index);
                try
                {
                    var item = loader.produce(index);
                    if (!slot.TrySetResult(item)) item.Dispose();
                }
                catch (Exception e)
                {
                    // The enumeration rethrows this when it reaches the index; this worker stops.
                    slot.TrySetException(e);
                    return;
                }
            }
        }

        public bool MoveNext()
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (loader.dispose_consumed) current?.Dispose();
            current = null;
            if (position + 1 >= loader.count) return false;
            position++;
            var task = Slot(position).Task;
            Task.WaitAny(new Task[] { task }, stop.Token);
            slots.TryRemove(position, out _);
            free.Release();
            current = task.GetAwaiter().GetResult();
            return true;
        }

        public void Reset() => throw new NotSupportedException("start a new enumeration instead.");

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            stop.Cancel();
            try { Task.WaitAll(tasks); }
            catch (AggregateException) { /* workers report failures through their slots */ }
            foreach (var slot in slots.Values)
                if (slot.Task.IsCompletedSuccessfully) slot.Task.Result.Dispose();
            if (loader.dispose_consumed) current?.Dispose();
            current = null;
            free.Dispose();
            stop.Dispose();
        }
    }
}
