using RetinaNet.Train.Preprocessing;
using RetinaNet.Train.Utils;

namespace RetinaNet.Tests.Train.Preprocessing;

public class PrefetchingLoaderTests
{
    private sealed class Item(long index) : IDisposable
    {
        public long Index { get; } = index;
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = true;
    }

    [Test]
    public void YieldsEveryItemInOrder_AndDisposesConsumedItems()
    {
        var made = new System.Collections.Concurrent.ConcurrentBag<Item>();
        var loader = new PrefetchingLoader<Item>(i =>
        {
            Thread.Sleep((int)(i * 7 % 5)); // uneven work so workers finish out of order
            var item = new Item(i);
            made.Add(item);
            return item;
        }, count: 20, workers: 3, max_queue_size: 4);

        var seen = new List<long>();
        Item? previous = null;
        foreach (var item in loader)
        {
            if (previous is not null) Assert.That(previous.Disposed, Is.True, "the previous item is disposed when the enumeration moves on");
            Assert.That(item.Disposed, Is.False);
            seen.Add(item.Index);
            previous = item;
        }

        Assert.That(seen, Is.EqualTo(Enumerable.Range(0, 20).Select(i => (long)i)));
        Assert.That(made.All(i => i.Disposed), Is.True);
    }

    [Test]
    public void WorkerException_IsRethrownWithItsMessage_WhenItsIndexIsReached()
    {
        var loader = new PrefetchingLoader<Item>(i => i == 3 ? throw new InvalidOperationException("bad image 3") : new Item(i),
            count: 10, workers: 2, max_queue_size: 3);

        var seen = new List<long>();
        var e = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var item in loader) seen.Add(item.Index);
        });

        Assert.That(e!.Message, Is.EqualTo("bad image 3"));
        Assert.That(seen, Is.EqualTo(new long[] { 0, 1, 2 }));
    }

    [Test]
    public void StoppingEarly_DisposesPreparedItems_AndQueueStaysBounded()
    {
        var made = new System.Collections.Concurrent.ConcurrentBag<Item>();
        int ahead = 0, maxAhead = 0;
        var loader = new PrefetchingLoader<Item>(i =>
        {
            int now = Interlocked.Increment(ref ahead);
            InterlockedMax(ref maxAhead, now);
            var item = new Item(i);
            made.Add(item);
            return item;
        }, count: 1000, workers: 4, max_queue_size: 3);

        foreach (var item in loader)
        {
            Thread.Sleep(2);
            Interlocked.Decrement(ref ahead);
            if (item.Index == 10) break;
        }

        // At most max_queue_size items are prepared beyond the one being consumed.
        Assert.That(maxAhead, Is.LessThanOrEqualTo(3 + 1));
        Assert.That(made.Count, Is.LessThan(20));
        Assert.That(made.All(i => i.Disposed), Is.True);
    }

    [Test]
    public void Cancellation_StopsAWaitingEnumeration()
    {
        using var release = new ManualResetEventSlim();
        using var cts = new CancellationTokenSource();
        var loader = new PrefetchingLoader<Item>(i =>
        {
            if (i == 1) release.Wait();
            return new Item(i);
        }, count: 5, workers: 1, cancellation: cts.Token);

        using var enumerator = loader.GetEnumerator();
        Assert.That(enumerator.MoveNext(), Is.True);
        cts.CancelAfter(50);
        Assert.That(() => enumerator.MoveNext(), Throws.InstanceOf<OperationCanceledException>());
        release.Set();
    }

    [Test]
    public void ForGenerator_MatchesSequentialBatches_AcrossPasses()
    {
        var options = new GeneratorOptions
        {
            batch_size = 2, image_sizing = new ImageSizing(no_resize: true), seed = 4, group_method = "ratio",
            transform_generator = Augmentation.training(false).transform_generator,
        };
        var sizes = new[] { (4, 6), (6, 4), (5, 5), (3, 7), (7, 3) };
        var generator = new MemoryGenerator(sizes, options: options);
        Assert.That(generator.Count, Is.EqualTo(3));

        int step = 1;
        foreach (var batch in PrefetchingLoader.ForGenerator(generator, steps: 5, first_step: 1, workers: 3, max_queue_size: 2))
        {
            using var expected = generator.get_batch(step % 3, step / 3);
            Assert.That((batch.index, batch.epoch), Is.EqualTo((step % 3, step / 3)));
            Assert.That(Same(batch.inputs, expected.inputs), Is.True, $"step {step}");
            step++;
        }
        Assert.That(step, Is.EqualTo(6));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = target) && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }

    private static bool Same(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.data<float>().ToArray().SequenceEqual(b.data<float>().ToArray());
}
