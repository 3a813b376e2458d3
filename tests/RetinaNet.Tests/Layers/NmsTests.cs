using RetinaNet.Layers.Utils;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers;

public class NmsTests
{
    static long[] Keep(float[] boxes, float[] scores, long max = 100, double iou = 0.5, double scoreThreshold = double.NegativeInfinity)
    {
        using var b = tensor(boxes, new long[] { scores.Length, 4 });
        using var s = tensor(scores);
        using var keep = Nms.non_max_suppression(b, s, max, iou, scoreThreshold);
        Assert.That(keep.dtype, Is.EqualTo(ScalarType.Int64));
        return keep.data<long>().ToArray();
    }

    [Test]
    public void IouExactlyAtThreshold_IsKept_AboveIsSuppressed()
    {
        // vs box 0 (area 100): box 1 has IoU 100/200 = 0.5, box 2 has 100/190 ≈ 0.53.
        var boxes = new float[] { 0, 0, 10, 10, 0, 0, 10, 20, 0, 0, 10, 19 };
        Assert.That(Keep(boxes, new[] { 0.9f, 0.8f, 0.7f }), Is.EqualTo(new long[] { 0, 1 }));
    }

    [Test]
    public void Output_IsInDescendingScoreOrder_TiesLowerIndexFirst()
    {
        // Boxes 1 and 3 are identical with equal scores: 1 is visited first and suppresses 3.
        var boxes = new float[] { 50, 50, 60, 60, 0, 0, 10, 10, 20, 20, 30, 30, 0, 0, 10, 10 };
        Assert.That(Keep(boxes, new[] { 0.2f, 0.5f, 0.9f, 0.5f }), Is.EqualTo(new long[] { 2, 1, 0 }));
    }

    [Test]
    public void MaxOutputSize_AndStrictScoreThreshold()
    {
        var boxes = new float[] { 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7 };
        var scores = new[] { 0.1f, 0.4f, 0.3f, 0.2f };
        Assert.That(Keep(boxes, scores, max: 2), Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(Keep(boxes, scores, scoreThreshold: 0.2), Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(Keep(boxes, scores, scoreThreshold: 0.5), Is.Empty);
        Assert.That(Keep(boxes, scores, max: 0), Is.Empty);
    }

    [Test]
    public void FlippedCorners_AreNormalised_ZeroAreaOverlapsNothing()
    {
        // Box 1 is box 0 with corners swapped; box 2 has no area and suppresses nothing.
        var boxes = new float[] { 0, 0, 10, 10, 10, 10, 0, 0, 5, 5, 5, 5, 0, 0, 10, 10 };
        Assert.That(Keep(boxes, new[] { 0.5f, 0.9f, 0.95f, 0.1f }), Is.EqualTo(new long[] { 2, 1 }));
    }

    [Test]
    public void EmptyInput_GivesNoIndices()
    {
        Assert.That(Keep(Array.Empty<float>(), Array.Empty<float>()), Is.Empty);
    }

    /// <summary>Greedy NMS written out from TensorFlow's description: float32 IoU, suppress when IoU &gt; threshold.</summary>
    static List<long> SlowReference(float[] b, float[] s, float threshold)
    {
        var order = Enumerable.Range(0, s.Length).OrderByDescending(i => s[i]).ToList(); // stable: ties by index
        var kept = new List<long>();
        foreach (var i in order)
        {
            bool suppressed = false;
            foreach (int j in kept)
            {
                float ai = (b[4 * i + 2] - b[4 * i]) * (b[4 * i + 3] - b[4 * i + 1]);
                float aj = (b[4 * j + 2] - b[4 * j]) * (b[4 * j + 3] - b[4 * j + 1]);
                float w = MathF.Max(MathF.Min(b[4 * i + 2], b[4 * j + 2]) - MathF.Max(b[4 * i], b[4 * j]), 0);
                float h = MathF.Max(MathF.Min(b[4 * i + 3], b[4 * j + 3]) - MathF.Max(b[4 * i + 1], b[4 * j + 1]), 0);
                float intersection = w * h;
                if (intersection / ((ai + aj) - intersection) > threshold) { suppressed = true; break; }
            }
            if (!suppressed) kept.Add(i);
        }
        return kept;
    }

    [Test]
    public void TenThousandRandomBoxes_MatchSlowReference()
    {
        using var g = new Generator(42);
        using var xy = rand(new long[] { 10_000, 2 }, generator: g) * 1000;
        using var wh = rand(new long[] { 10_000, 2 }, generator: g) * 250 + 20;
        using var boxes = cat(new[] { xy, xy + wh }, 1);
        using var scores = rand(new long[] { 10_000 }, generator: g);
        var expected = SlowReference(boxes.data<float>().ToArray(), scores.data<float>().ToArray(), 0.5f);
        using var keep = Nms.non_max_suppression(boxes, scores, 100_000, 0.5);
        Assert.That(keep.data<long>().ToArray(), Is.EqualTo(expected));
        Assert.That(expected.Count, Is.InRange(100, 9_900), "the case should both keep and suppress many boxes");
    }
}
