using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using static TorchSharp.torch;

namespace RetinaNet.Train.Inference;

/// <summary>
/// One image's result from <see cref="BatchedPrediction.Run"/>: its position in the input, and either the model's
/// output or the error that kept it from being read. <see cref="image"/> is the decoded BGR image when it was asked
/// for (to draw on); the caller disposes it.
/// </summary>
public sealed record BatchedResult(int index, ModelOutput? output, Exception? error, Tensor? image);

/// <summary>
/// Runs a <see cref="Detector"/> over many images in batches, the way <c>predict</c> and <c>evaluate</c> do with
/// <c>--batch-size</c>. A background task decodes, resizes and normalises the next images while the network works on
/// the current batch (so decoding costs no wall time once the network is the slower part); images whose network
/// input has the same size are batched together (a size bucket), without padding, so every image's detections are
/// those of running it alone, up to float32 rounding (oneDNN may sum a batch in another order: scores move by about
/// 1e-6). A bucket goes to the network when it is full, or — to bound memory — when more than
/// twice the batch size of prepared images are waiting (the fullest bucket goes first), and at the end.
/// Results come in the order the batches ran; <see cref="BatchedResult.index"/> puts them back in input order.
/// </summary>
public static class BatchedPrediction
{
    /// <summary>Runs the detector over images <c>0..count-1</c>, read by <paramref name="load"/>.</summary>
    /// <param name="detector">The detector (its resizing and normalisation prepare the images).</param>
    /// <param name="count">How many images.</param>
    /// <param name="load">Reads image i as an (H, W, 3) BGR tensor, values 0..255; an exception is reported as that
    /// image's <see cref="BatchedResult.error"/> and the others go on.</param>
    /// <param name="batch_size">Images per network call (1: one at a time, still with decoding overlapped).</param>
    /// <param name="keep_images">Also return each decoded image (for drawings).</param>
    public static IEnumerable<BatchedResult> Run(Detector detector, int count, Func<int, Tensor> load, int batch_size = 1,
        bool keep_images = false)
    {
        if (batch_size < 1) throw new ArgumentOutOfRangeException(nameof(batch_size), batch_size, "--batch-size must be at least 1.");
        // One batch prepared ahead: enough to hide decoding, and memory stays at about two batches of inputs.
        using var ready = new BlockingCollection<Batch>(boundedCapacity: 1);
        using var stop = new CancellationTokenSource();
        var producer = Task.Factory.StartNew(() => Produce(detector, count, load, batch_size, keep_images, ready, stop.Token),
            stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            foreach (var batch in ready.GetConsumingEnumerable())
            {
                foreach (var failed in batch.failures) yield return failed;
                if (batch.images.Count == 0) continue;
                IReadOnlyList<ModelOutput> outputs;
                try
                {
                    outputs = detector.predict_batch(batch.images.Select(i => i.prepared).ToList());
                }
                finally
                {
                    foreach (var image in batch.images) image.prepared.Dispose();
                }
                for (int k = 0; k < outputs.Count; k++)
                    yield return new BatchedResult(batch.images[k].index, outputs[k], null, batch.images[k].raw);
            }
            // A fault in the producer (not an image's own error) surfaces here, with its stack.
            try { producer.Wait(); }
            catch (AggregateException e) { ExceptionDispatchInfo.Capture(e.InnerException!).Throw(); }
        }
        finally
        {
            stop.Cancel();
            try { producer.Wait(); } catch (AggregateException) { }
            // Batches prepared but never run (the caller stopped early): free their tensors now, not at finalization.
            while (ready.TryTake(out var left))
                foreach (var image in left.images) { image.prepared.Dispose(); image.raw?.Dispose(); }
        }
    }

    sealed record Item(int index, PreparedImage prepared, Tensor? raw);

    sealed record Batch(List<Item> images, List<BatchedResult> failures);

    static void Produce(Detector detector, int count, Func<int, Tensor> load, int batchSize, bool keepImages,
        BlockingCollection<Batch> ready, CancellationToken stop)
    {
        try
        {
            var buckets = new Dictionary<(long h, long w), List<Item>>();
            var waiting = 0;
            var failures = new List<BatchedResult>();
            void Send(List<Item> images)
            {
                ready.Add(new Batch(images, failures), stop);
                failures = new List<BatchedResult>();
                waiting -= images.Count;
            }
            for (int i = 0; i < count; i++)
            {
                stop.ThrowIfCancellationRequested();
                Item item;
                using (var scope = NewDisposeScope())
                {
                    Tensor raw;
                    try
                    {
                        raw = load(i);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        failures.Add(new BatchedResult(i, null, e, null));
                        continue;
                    }
                    var prepared = detector.prepare(raw);
                    // The results leave this thread's scope: the consumer owns and disposes them.
                    prepared.input.DetachFromDisposeScope();
                    // "none" preprocessing without resizing may hand back the image itself: keep a copy to draw on.
                    if (keepImages && ReferenceEquals(raw, prepared.input)) raw = raw.clone();
                    if (keepImages) raw.DetachFromDisposeScope();
                    item = new Item(i, prepared, keepImages ? raw : null);
                }
                var key = (item.prepared.input.shape[0], item.prepared.input.shape[1]);
                if (!buckets.TryGetValue(key, out var bucket)) buckets[key] = bucket = new List<Item>();
                bucket.Add(item);
                waiting++;
                if (bucket.Count == batchSize)
                {
                    buckets.Remove(key);
                    Send(bucket);
                }
                else if (waiting > 2 * batchSize)
                {
                    var fullest = buckets.MaxBy(b => b.Value.Count);
                    buckets.Remove(fullest.Key);
                    Send(fullest.Value);
                }
            }
            foreach (var bucket in buckets.Values.OrderBy(b => b[0].index)) Send(bucket);
            if (failures.Count > 0) ready.Add(new Batch(new List<Item>(), failures), stop);
        }
        finally
        {
            ready.CompleteAdding();
        }
    }
}
