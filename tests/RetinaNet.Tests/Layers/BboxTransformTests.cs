using static RetinaNet.Layers.Utils.BoxTransform;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers;

public class BboxTransformTests
{
    [Test]
    public void Targets_AreCornerDeltasOverAnchorSizeDividedByStd()
    {
        // Anchor 10 wide, 20 high; gt (1, 2, 12, 18): ((1-0)/10, (2-0)/20, (12-10)/10, (18-20)/20) / 0.2.
        using var anchors = tensor(new double[] { 0, 0, 10, 20 }, new long[] { 1, 4 });
        using var gt = tensor(new double[] { 1, 2, 12, 18 }, new long[] { 1, 4 });
        using var targets = bbox_transform(anchors, gt);
        Assert.That(targets.data<double>().ToArray(), Is.EqualTo(new[] { 0.5, 0.5, 1.0, -0.5 }).Within(1e-12));

        using var custom = bbox_transform(anchors, gt, mean: new[] { 0.1, 0, 0, 0 }, std: new[] { 1.0, 0.5, 0.1, 0.1 });
        Assert.That(custom.data<double>().ToArray(), Is.EqualTo(new[] { 0.0, 0.2, 2.0, -1.0 }).Within(1e-12));
    }

    [Test]
    public void Inverse_AppliesDeltasTimesStdToAnchorSize()
    {
        // x1 = 0 + (1·0.2)·10, y1 = 0 + (-1·0.2)·20, x2 = 10 + (0.5·0.2)·10, y2 = 20 + (2·0.2)·20.
        using var anchors = tensor(new float[] { 0, 0, 10, 20 }, new long[] { 1, 1, 4 });
        using var deltas = tensor(new float[] { 1, -1, 0.5f, 2 }, new long[] { 1, 1, 4 });
        using var boxes = bbox_transform_inv(anchors, deltas);
        Assert.That(boxes.shape, Is.EqualTo(new long[] { 1, 1, 4 }));
        Assert.That(boxes.data<float>().ToArray(), Is.EqualTo(new[] { 2f, -4f, 11f, 28f }).Within(1e-5));
    }

    [Test]
    public void RoundTrip_RecoversBoxes()
    {
        using var anchors = tensor(new double[] { 0, 0, 10, 20, -30, 5, 50, 45, 100, 100, 164, 132 }, new long[] { 3, 4 });
        using var gt = tensor(new double[] { 2, -1, 13, 19, -20, 0, 40, 60, 90, 110, 170, 130 }, new long[] { 3, 4 });
        using var deltas = bbox_transform(anchors, gt, new[] { 0.1, -0.1, 0, 0.05 }, new[] { 0.3, 0.2, 0.1, 0.4 });
        using var back = bbox_transform_inv(anchors.unsqueeze(0), deltas.unsqueeze(0), new[] { 0.1, -0.1, 0, 0.05 }, new[] { 0.3, 0.2, 0.1, 0.4 });
        Assert.That(back.squeeze(0).data<double>().ToArray(), Is.EqualTo(gt.data<double>().ToArray()).Within(1e-9));
    }

    [Test]
    public void WrongLengthStatistics_AreRejected()
    {
        using var a = zeros(1, 4);
        var e = Assert.Throws<ArgumentException>(() => bbox_transform_inv(a, a, mean: new[] { 0.0, 0 }));
        Assert.That(e!.Message, Does.Contain("Expected mean to be a list of 4 numbers"));
        Assert.Throws<ArgumentException>(() => bbox_transform(a, a, std: new[] { 0.2 }));
    }
}
