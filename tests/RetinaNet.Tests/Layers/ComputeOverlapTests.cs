using static RetinaNet.Layers.Utils.AnchorMath;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers;

public class ComputeOverlapTests
{
    static Tensor Boxes(params double[] values) => tensor(values, new long[] { values.Length / 4, 4 });

    [Test]
    public void HandCases()
    {
        using var boxes = Boxes(0, 0, 10, 10, 100, 100, 110, 120);
        using var query = Boxes(
            0, 0, 10, 10,    // identical → 1
            5, 0, 15, 10,    // half shifted: inter 50, union 150 → 1/3
            10, 0, 20, 10,   // touching edge: width 0 → 0
            2, 2, 4, 4,      // inside: 4 / 100
            50, 50, 60, 60); // disjoint → 0
        using var iou = compute_overlap(boxes, query);
        Assert.That(iou.shape, Is.EqualTo(new long[] { 2, 5 }));
        Assert.That(iou.dtype, Is.EqualTo(ScalarType.Float64));
        var v = iou.data<double>().ToArray();
        Assert.That(v.Take(5), Is.EqualTo(new[] { 1.0, 50.0 / 150, 0, 4.0 / 100, 0 }));
        // Second box (10 × 20 at 100,100) overlaps none of them.
        Assert.That(v.Skip(5), Is.All.EqualTo(0.0));
    }

    [Test]
    public void PartialOverlapBothAxes_AndExtraColumnsIgnored()
    {
        // inter = 5 × 4 = 20; areas 100 and 10·12 = 120 → 20 / 200.
        using var boxes = Boxes(0, 0, 10, 10);
        using var query = tensor(new double[] { 5, 6, 15, 18, 0.99 }, new long[] { 1, 5 });
        using var iou = compute_overlap(boxes, query);
        Assert.That(iou.item<double>(), Is.EqualTo(20.0 / 200));
    }

    [Test]
    public void EmptyBoxes_GiveZeroNotNaN()
    {
        using var boxes = Boxes(3, 3, 3, 3);
        using var query = Boxes(3, 3, 3, 3, 0, 0, 10, 10);
        using var iou = compute_overlap(boxes, query);
        Assert.That(iou.data<double>().ToArray(), Is.EqualTo(new[] { 0.0, 0.0 }));
    }

    [Test]
    public void ManyBoxes_MatchesPairwiseFormula()
    {
        // Enough rows to span several internal chunks; compared with the formula pair by pair.
        using var g = new TorchSharp.torch.Generator(7);
        using var xy = rand(new long[] { 30_000, 2 }, ScalarType.Float64, generator: g) * 100;
        using var wh = rand(new long[] { 30_000, 2 }, ScalarType.Float64, generator: g) * 30;
        using var boxes = cat(new[] { xy, xy + wh }, 1);
        using var query = boxes.narrow(0, 0, 20);
        using var iou = compute_overlap(boxes, query);
        var b = boxes.data<double>().ToArray();
        var v = iou.data<double>().ToArray();
        for (int n = 0; n < 30_000; n += 997)
        for (int k = 0; k < 20; k++)
        {
            double iw = Math.Min(b[n * 4 + 2], b[k * 4 + 2]) - Math.Max(b[n * 4], b[k * 4]);
            double ih = Math.Min(b[n * 4 + 3], b[k * 4 + 3]) - Math.Max(b[n * 4 + 1], b[k * 4 + 1]);
            double expected = 0;
            if (iw > 0 && ih > 0)
            {
                double ua = (b[n * 4 + 2] - b[n * 4]) * (b[n * 4 + 3] - b[n * 4 + 1]) + (b[k * 4 + 2] - b[k * 4]) * (b[k * 4 + 3] - b[k * 4 + 1]) - iw * ih;
                expected = iw * ih / ua;
            }
            Assert.That(v[n * 20 + k], Is.EqualTo(expected).Within(1e-12), $"pair ({n}, {k})");
        }
    }
}
