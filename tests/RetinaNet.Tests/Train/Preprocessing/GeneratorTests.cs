using RetinaNet.Train.Preprocessing;
using RetinaNet.Train.Utils;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Train.Preprocessing;

public class GeneratorTests
{
    private static readonly double[] Mean = { 103.939, 116.779, 123.68 };

    private static GeneratorOptions Plain(int batchSize = 1, string groupMethod = "none") => new()
    {
        batch_size = batchSize, group_method = groupMethod, shuffle_groups = false, image_sizing = new ImageSizing(no_resize: true), seed = 1,
    };

    [Test]
    public void FilterAnnotations_DropsInvalidBoxes_WithWarningNamingImageAndBoxes()
    {
        var warnings = new List<string>();
        var boxes = MemoryGenerator.Boxes(
            (1, 1, 5, 5, 0),     // valid
            (5, 1, 5, 4, 1),     // x2 <= x1
            (1, 6, 4, 3, 0),     // y2 <= y1
            (-1, 0, 3, 3, 0),    // x1 < 0
            (15, 2, 21, 8, 1),   // x2 > width (20)
            (0, 0, 20, 10, 1),   // touching the border is valid
            (0, 0, 3, 11, 0));   // y2 > height (10)
        var generator = new MemoryGenerator(new[] { (10, 20) }, new[] { boxes }, options: Plain() with { warning_sink = warnings.Add });

        using var image = generator.load_image(0);
        var kept = generator.filter_annotations(image, boxes, 0);

        Assert.That(kept.labels, Is.EqualTo(new[] { 0, 1 }));
        Assert.That(kept.box(1), Is.EqualTo((0.0, 0.0, 20.0, 10.0)));
        Assert.That(warnings, Has.Count.EqualTo(1));
        Assert.That(warnings[0], Is.EqualTo(
            "Image mem/0.png with id 0 (shape (10, 20, 3)) contains the following invalid boxes: " +
            "[[5. 1. 5. 4.] [1. 6. 4. 3.] [-1. 0. 3. 3.] [15. 2. 21. 8.] [0. 0. 3. 11.]]."));
    }

    [Test]
    public void Batch_IsMeanSubtracted_AndZeroPaddedToTheLargestImage()
    {
        var generator = new MemoryGenerator(new[] { (2, 3), (4, 2) }, options: Plain(batchSize: 2));
        using var batch = generator[0];

        Assert.That(batch.group, Is.EqualTo(new[] { 0, 1 }));
        Assert.That(batch.inputs.shape, Is.EqualTo(new long[] { 2, 4, 3, 3 }));
        Assert.That(batch.image_shapes, Is.EqualTo(new[] { (2, 3), (4, 2) }));
        Assert.That(batch.has_targets, Is.False);
        var (heights, widths) = (new[] { 2, 4 }, new[] { 3, 2 });
        for (int b = 0; b < 2; b++)
        for (int y = 0; y < 4; y++)
        for (int x = 0; x < 3; x++)
        for (int c = 0; c < 3; c++)
        {
            bool inside = y < heights[b] && x < widths[b];
            double expected = inside ? generator.Pixel(b, y, x, c) - Mean[c] : 0;
            Assert.That(batch.inputs[b, y, x, c].item<float>(), Is.EqualTo(expected).Within(1e-4), $"({b}, {y}, {x}, {c})");
        }
    }

    [Test]
    public void Resize_ScalesImageAndBoxes()
    {
        var boxes = MemoryGenerator.Boxes((1, 2, 5, 8, 1));
        var options = Plain() with { image_sizing = new ImageSizing(min_side: 20, max_side: 100) };
        var generator = new MemoryGenerator(new[] { (10, 15) }, new[] { boxes }, options: options);

        using var batch = generator[0];

        // min side 10 -> 20: scale 2.
        Assert.That(batch.inputs.shape, Is.EqualTo(new long[] { 1, 20, 30, 3 }));
        Assert.That(batch.annotations[0].box(0), Is.EqualTo((2.0, 4.0, 10.0, 16.0)));
    }

    [Test]
    public void HorizontalFlip_MovesBoxesToWidthMinusX_AndMirrorsPixels()
    {
        const int H = 3, W = 5;
        var boxes = MemoryGenerator.Boxes((1, 0, 3, 2, 0));
        var options = Plain() with { transform_generator = Transform.random_transform_generator(flip_x_chance: 1) };
        var generator = new MemoryGenerator(new[] { (H, W) }, new[] { boxes }, options: options);

        using var batch = generator[0];

        Assert.That(batch.annotations[0].box(0), Is.EqualTo((W - 3.0, 0.0, W - 1.0, 2.0)));
        // Output column x samples source column W - x (replicating the last column at x = 0).
        for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
        {
            double raw = generator.Pixel(0, y, Math.Min(W - x, W - 1), 0);
            Assert.That(batch.inputs[0, y, x, 0].item<float>(), Is.EqualTo(raw - Mean[0]).Within(1e-4), $"({y}, {x})");
        }
    }

    [Test]
    public void GroupMethods_OrderImages_AndWrapTheLastGroup()
    {
        var sizes = new[] { (10, 20), (20, 10), (10, 10) }; // aspect ratios 2, 0.5, 1
        Assert.That(new MemoryGenerator(sizes, options: Plain(2, "none")).groups_for_epoch(0), Is.EqualTo(new[] { new[] { 0, 1 }, new[] { 2, 0 } }));
        Assert.That(new MemoryGenerator(sizes, options: Plain(2, "ratio")).groups_for_epoch(0), Is.EqualTo(new[] { new[] { 1, 2 }, new[] { 0, 1 } }));
        var random = new MemoryGenerator(sizes, options: Plain(3, "random"));
        Assert.That(random.Count, Is.EqualTo(1));
        Assert.That(random.groups_for_epoch(0)[0], Is.EquivalentTo(new[] { 0, 1, 2 }));
    }

    [Test]
    public void ShuffledGroups_DependOnSeedAndEpochOnly()
    {
        var sizes = Enumerable.Repeat((4, 4), 12).ToArray();
        var options = new GeneratorOptions { group_method = "none", seed = 3, image_sizing = new ImageSizing(no_resize: true) };
        var a = new MemoryGenerator(sizes, options: options);
        var b = new MemoryGenerator(sizes, options: options);

        Assert.That(a.groups_for_epoch(0), Is.EqualTo(b.groups_for_epoch(0)));
        Assert.That(Enumerable.Range(1, 5).Any(e => !a.groups_for_epoch(e).SequenceEqual(a.groups_for_epoch(0), new GroupComparer())), Is.True);
        Assert.That(a.groups_for_epoch(4).Select(g => g[0]).Order(), Is.EqualTo(Enumerable.Range(0, 12)));
        a.on_epoch_end();
        using var batch = a[0];
        Assert.That(batch.epoch, Is.EqualTo(1));
        Assert.That(batch.group, Is.EqualTo(a.groups_for_epoch(1)[0]));
    }

    [Test]
    public void AnchorTargets_WhenProvided_ReceiveTheBatchAndAreAttached()
    {
        var boxes = MemoryGenerator.Boxes((0, 0, 2, 2, 1));
        var generator = new MemoryGenerator(new[] { (3, 4), (2, 2) }, new[] { boxes, Annotations.Empty }, options: Plain(2));
        IReadOnlyList<(int, int)>? seenShapes = null;
        int seenClasses = 0;
        generator.compute_anchor_targets = (inputs, annotations, shapes, numClasses) =>
        {
            seenShapes = shapes;
            seenClasses = numClasses;
            return (inputs.sum(new long[] { 1, 2 }), tensor(annotations.Select(a => (float)a.Count).ToArray()));
        };

        using var batch = generator[0];

        Assert.That(batch.has_targets, Is.True);
        Assert.That(seenShapes, Is.EqualTo(new[] { (3, 4), (2, 2) }));
        Assert.That(seenClasses, Is.EqualTo(2));
        Assert.That(batch.classification!.data<float>().ToArray(), Is.EqualTo(new float[] { 1, 0 }));
        Assert.That(batch.regression!.shape, Is.EqualTo(new long[] { 2, 3 }));
    }

    [Test]
    public void GetBatch_IsDeterministicForSeedEpochAndIndex()
    {
        var options = new GeneratorOptions
        {
            image_sizing = new ImageSizing(no_resize: true), seed = 9, group_method = "none",
            transform_generator = Augmentation.training(true).transform_generator,
            visual_effect_generator = Augmentation.training(true).visual_effect_generator,
        };
        var sizes = Enumerable.Repeat((6, 7), 4).ToArray();
        var a = new MemoryGenerator(sizes, options: options);
        var b = new MemoryGenerator(sizes, options: options);

        using var first = a.get_batch(2, 1);
        using var again = b.get_batch(2, 1);
        using var other = a.get_batch(2, 2);

        Assert.That(Same(first.inputs, again.inputs), Is.True);
        Assert.That(first.group, Is.EqualTo(again.group));
        Assert.That(Same(first.inputs, other.inputs) && first.group.SequenceEqual(other.group), Is.False);
    }

    private sealed class GroupComparer : IEqualityComparer<int[]>
    {
        public bool Equals(int[]? x, int[]? y) => x!.SequenceEqual(y!);
        public int GetHashCode(int[] obj) => obj.Length;
    }

    private static bool Same(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.data<float>().ToArray().SequenceEqual(b.data<float>().ToArray());
}
