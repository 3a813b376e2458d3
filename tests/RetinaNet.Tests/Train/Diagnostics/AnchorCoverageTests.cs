using RetinaNet.Layers.Utils;
using RetinaNet.Train.Diagnostics;
using RetinaNet.Train.Evaluation;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Train.Diagnostics;

public class AnchorCoverageTests
{
    [Test]
    public void BestIoU_EqualsTheMaximumOverEveryAnchorOfTheImage_LeavingOutAnchorsCentredOutsideIt()
    {
        const int height = 100, width = 132;
        var random = new Random(7);
        var boxes = Enumerable.Range(0, 60).Select(_ =>
        {
            double x1 = random.NextDouble() * 120, y1 = random.NextDouble() * 90;
            return new CornerBox(x1, y1, Math.Min(width, x1 + 2 + random.NextDouble() * 80), Math.Min(height, y1 + 2 + random.NextDouble() * 90));
        }).ToList();
        var coverage = new AnchorCoverage(AnchorConfig.Default);

        using var scope = NewDisposeScope();
        var anchors = AnchorMath.anchors_for_shape(new long[] { height, width });
        var a = anchors.data<double>().ToArray();
        var inside = Enumerable.Range(0, (int)anchors.shape[0])
            .Where(i => (a[4 * i] + a[4 * i + 2]) / 2 < width && (a[4 * i + 1] + a[4 * i + 3]) / 2 < height).ToArray();
        var query = tensor(boxes.SelectMany(b => new[] { b.X1, b.Y1, b.X2, b.Y2 }).ToArray(), new long[] { boxes.Count, 4 });
        var overlaps = AnchorMath.compute_overlap(anchors.index_select(0, tensor(inside.Select(i => (long)i).ToArray())), query);
        var bruteForce = overlaps.max(0).values.data<double>().ToArray();

        for (int k = 0; k < boxes.Count; k++)
            Assert.That(coverage.BestIoU(boxes[k], height, width), Is.EqualTo(bruteForce[k]).Within(1e-12), $"box {k}: {boxes[k]}");
    }

    [Test]
    public void Shapes_AreGenerateAnchorsWidthsAndHeights()
    {
        using var scope = NewDisposeScope();
        var anchors = AnchorMath.generate_anchors(32).data<double>().ToArray();
        var shapes = AnchorCoverage.Shapes(32, AnchorConfig.Default.ratios, AnchorConfig.Default.scales);
        for (int i = 0; i < shapes.Length; i++)
        {
            Assert.That(shapes[i].Width, Is.EqualTo(anchors[4 * i + 2] - anchors[4 * i]).Within(1e-9));
            Assert.That(shapes[i].Height, Is.EqualTo(anchors[4 * i + 3] - anchors[4 * i + 1]).Within(1e-9));
        }
    }
}
