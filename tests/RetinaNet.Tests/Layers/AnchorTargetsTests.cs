using RetinaNet.Layers.Utils;
using static RetinaNet.Layers.Utils.AnchorMath;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers;

public class AnchorTargetsTests
{
    // Ground truth (0, 0, 10, 10), area 100. Each anchor's IoU with it, worked out by hand:
    static readonly double[] AnchorValues =
    {
        0, 0, 10, 10,    // 0: IoU 1 → positive
        0, 0, 10, 20,    // 1: inter 100 / union 200 = 0.5 exactly → positive (>= 0.5)
        0, 0, 4.5, 10,   // 2: 45 / 100 = 0.45 → ignore
        0, 0, 4, 10,     // 3: 40 / 100 = 0.4 exactly → negative (<= 0.4)
        20, 20, 30, 30,  // 4: 0 → negative
        35, 0, 45, 10,   // 5: 0, but its centre x = 40 is not inside a 40-wide image → ignore
        34, 0, 44, 10,   // 6: 0, centre x = 39 → negative
    };

    static Tensor AnchorTensor() => tensor(AnchorValues, new long[] { 7, 4 });

    static AnnotationTensors Gt(double[] boxes, double[] labels) =>
        new(tensor(boxes, new long[] { labels.Length, 4 }), tensor(labels));

    [Test]
    public void ComputeGtAnnotations_ThresholdsAreInclusiveAtPositiveAndExclusiveAtNegative()
    {
        using var anchors = AnchorTensor();
        using var gt = tensor(new double[] { 0, 0, 10, 10 }, new long[] { 1, 4 });
        var (positive, ignore, argmax) = compute_gt_annotations(anchors, gt);
        Assert.That(positive.data<bool>().ToArray(), Is.EqualTo(new[] { true, true, false, false, false, false, false }));
        Assert.That(ignore.data<bool>().ToArray(), Is.EqualTo(new[] { false, false, true, false, false, false, false }));
        Assert.That(argmax.data<long>().ToArray(), Is.All.EqualTo(0L));
    }

    [Test]
    public void Targets_StatesLabelsAndRegression()
    {
        using var anchors = AnchorTensor();
        var (regression, labels) = anchor_targets_bbox(anchors, new[] { new long[] { 40, 40, 3 } },
            new[] { Gt(new double[] { 0, 0, 10, 10 }, new double[] { 2 }) }, num_classes: 3);
        Assert.That(regression.shape, Is.EqualTo(new long[] { 1, 7, 5 }));
        Assert.That(labels.shape, Is.EqualTo(new long[] { 1, 7, 4 }));
        Assert.That(regression.dtype, Is.EqualTo(ScalarType.Float32));

        var states = new float[] { 1, 1, -1, 0, 0, -1, 0 };
        Assert.That(labels[0, .., 3].data<float>().ToArray(), Is.EqualTo(states));
        Assert.That(regression[0, .., 4].data<float>().ToArray(), Is.EqualTo(states));
        // One-hot class 2 on the two positives only.
        var classes = labels[0, .., ..3].data<float>().ToArray();
        var expectedClasses = new float[21];
        expectedClasses[0 * 3 + 2] = 1;
        expectedClasses[1 * 3 + 2] = 1;
        Assert.That(classes, Is.EqualTo(expectedClasses));
        // Anchor 1 (0, 0, 10, 20) → gt (0, 0, 10, 10): (0, 0, 0, (10 - 20) / 20) / 0.2.
        Assert.That(regression[0, 1, ..4].data<float>().ToArray(), Is.EqualTo(new[] { 0f, 0, 0, -2.5f }).Within(1e-6));
        // Regression targets are filled for every anchor, e.g. anchor 3 (0, 0, 4, 10): (0, 0, 6/4, 0) / 0.2.
        Assert.That(regression[0, 3, ..4].data<float>().ToArray(), Is.EqualTo(new[] { 0f, 0, 7.5f, 0 }).Within(1e-6));
    }

    [Test]
    public void EmptyAnnotations_AllBackgroundExceptOutside()
    {
        using var anchors = AnchorTensor();
        var empty = new AnnotationTensors(zeros(0, 4), zeros(0));
        var (regression, labels) = anchor_targets_bbox(anchors, new[] { new long[] { 40, 40 } }, new[] { empty }, num_classes: 2);
        Assert.That(labels[0, .., 2].data<float>().ToArray(), Is.EqualTo(new float[] { 0, 0, 0, 0, 0, -1, 0 }));
        Assert.That(regression[0, .., 4].data<float>().ToArray(), Is.EqualTo(new float[] { 0, 0, 0, 0, 0, -1, 0 }));
        Assert.That(labels[0, .., ..2].data<float>().ToArray(), Is.All.EqualTo(0f));
        Assert.That(regression[0, .., ..4].data<float>().ToArray(), Is.All.EqualTo(0f));
    }

    [Test]
    public void BatchOfTwo_EachImageItsOwnShapeAndBoxes()
    {
        using var anchors = AnchorTensor();
        // Image 0: as above but 60 × 60 (nothing outside) and two boxes; the second box (20, 20, 30, 30) of
        // class 0 matches anchor 4 exactly. Image 1: 20 high × 60 wide, no boxes: anchor 4 (centre y = 25) is outside.
        var image0 = Gt(new double[] { 0, 0, 10, 10, 20, 20, 30, 30 }, new double[] { 1, 0 });
        var image1 = new AnnotationTensors(zeros(0, 4), zeros(0));
        var (regression, labels) = anchor_targets_bbox(anchors, new[] { new long[] { 60, 60 }, new long[] { 20, 60 } },
            new[] { image0, image1 }, num_classes: 2);
        Assert.That(labels.shape, Is.EqualTo(new long[] { 2, 7, 3 }));
        Assert.That(labels[0, .., 2].data<float>().ToArray(), Is.EqualTo(new float[] { 1, 1, -1, 0, 1, 0, 0 }));
        Assert.That(labels[0, .., ..2].data<float>().ToArray(),
            Is.EqualTo(new float[] { 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0 }));
        Assert.That(regression[0, 4, ..4].data<float>().ToArray(), Is.All.EqualTo(0f));
        Assert.That(labels[1, .., 2].data<float>().ToArray(), Is.EqualTo(new float[] { 0, 0, 0, 0, -1, 0, 0 }));
        Assert.That(regression[1, .., 4].data<float>().ToArray(), Is.EqualTo(new float[] { 0, 0, 0, 0, -1, 0, 0 }));
        Assert.That(labels[1, .., ..2].data<float>().ToArray(), Is.All.EqualTo(0f));
    }

    [Test]
    public void AssertionMessages()
    {
        using var anchors = AnchorTensor();
        var gt = Gt(new double[] { 0, 0, 10, 10 }, new double[] { 0 });
        var e = Assert.Throws<ArgumentException>(() => anchor_targets_bbox(anchors, new[] { new long[] { 40, 40 } }, new[] { gt, gt }, 1));
        Assert.That(e!.Message, Is.EqualTo("The length of the images and annotations need to be equal."));
        e = Assert.Throws<ArgumentException>(() => anchor_targets_bbox(anchors, Array.Empty<long[]>(), Array.Empty<AnnotationTensors>(), 1));
        Assert.That(e!.Message, Is.EqualTo("No data received to compute anchor targets for."));
    }
}
