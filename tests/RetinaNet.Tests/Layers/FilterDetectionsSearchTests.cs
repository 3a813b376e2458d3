using RetinaNet.Layers;
using RetinaNet.Layers.Utils;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers;

/// <summary>
/// FilterDetections looks only above a score floor it lowers step by step; these tests compare it with the plain
/// definition (NMS over every candidate of every class, then the best max_detections) on inputs large enough for
/// the floor to matter: thousands of boxes, threshold 0, ties and clustered boxes.
/// </summary>
public class FilterDetectionsSearchTests
{
    /// <summary>keras-retinanet's filter_detections written directly: per class, every candidate through NMS.</summary>
    static (long[] boxes, float[] scores, int[] labels) Reference(Tensor boxes, Tensor classification,
        bool classSpecific, bool nms, double scoreThreshold, int maxDetections, double nmsThreshold)
    {
        using var scope = NewDisposeScope();
        var pairs = new List<(long box, int label, float score)>();
        void AddColumn(Tensor columnScores, Func<long, int> label)
        {
            var candidates = (columnScores > scoreThreshold).nonzero().view(-1);
            if (candidates.shape[0] == 0) return;
            var kept = nms
                ? candidates.index_select(0, Nms.non_max_suppression(boxes.index_select(0, candidates),
                    columnScores.index_select(0, candidates), maxDetections, nmsThreshold))
                : candidates;
            var keptIndices = kept.data<long>().ToArray();
            var values = columnScores.index_select(0, kept).data<float>().ToArray();
            for (int i = 0; i < keptIndices.Length; i++) pairs.Add((keptIndices[i], label(keptIndices[i]), values[i]));
        }
        if (classSpecific)
            for (int c = 0; c < classification.shape[1]; c++) AddColumn(classification.select(1, c), _ => c);
        else
        {
            var best = classification.argmax(1).data<long>().ToArray();
            AddColumn(classification.amax(1), i => (int)best[i]);
        }
        // Stable sort by descending score: ties keep class-major, NMS order.
        var top = pairs.Select((p, i) => (p, i)).OrderByDescending(x => x.p.score).ThenBy(x => x.i)
            .Take(maxDetections).Select(x => x.p).ToList();
        return (top.Select(p => p.box).ToArray(), top.Select(p => p.score).ToArray(), top.Select(p => p.label).ToArray());
    }

    /// <summary>Boxes in a few clusters (so NMS suppresses a lot) and scores with many exact ties.</summary>
    static (Tensor boxes, Tensor scores) Inputs(int seed, int n, int classes, bool quantized)
    {
        var random = new Random(seed);
        var boxValues = new float[n * 4];
        for (int i = 0; i < n; i++)
        {
            float cx = random.Next(0, 8) * 40 + (float)random.NextDouble() * 6, cy = random.Next(0, 8) * 40 + (float)random.NextDouble() * 6;
            float w = 10 + (float)random.NextDouble() * 30, h = 10 + (float)random.NextDouble() * 30;
            (boxValues[4 * i], boxValues[4 * i + 1], boxValues[4 * i + 2], boxValues[4 * i + 3]) = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
        }
        var scoreValues = Enumerable.Range(0, n * classes)
            .Select(_ => quantized ? random.Next(0, 20) / 20f : (float)random.NextDouble()).ToArray();
        return (tensor(boxValues, new long[] { n, 4 }), tensor(scoreValues, new long[] { n, classes }));
    }

    [TestCase(1, 5000, 6, false, true, true, 0.0, 50)]
    [TestCase(2, 5000, 6, true, true, true, 0.0, 50)]      // ties everywhere
    [TestCase(3, 3000, 4, false, true, true, 0.0, 300)]    // max_detections large against the cluster count
    [TestCase(4, 5000, 6, false, false, true, 0.0, 40)]    // best class only
    [TestCase(5, 5000, 6, true, true, false, 0.0, 100)]    // no NMS
    [TestCase(6, 5000, 6, false, true, true, 0.9, 50)]     // the threshold settles it before the floor does
    [TestCase(7, 200, 3, false, true, true, 0.0, 300)]     // fewer boxes than the first look
    public void SameDetectionsAsPlainPerClassNms(int seed, int n, int classes, bool quantized, bool classSpecific,
        bool nms, double scoreThreshold, int maxDetections)
    {
        using var scope = NewDisposeScope();
        var (boxes, scores) = Inputs(seed, n, classes, quantized);
        var expected = Reference(boxes, scores, classSpecific, nms, scoreThreshold, maxDetections, 0.5);
        var result = FilterDetections.filter_detections(boxes, scores, null, classSpecific, nms, scoreThreshold, maxDetections, 0.5);

        int found = expected.boxes.Length;
        Assert.That(found, Is.GreaterThan(0));
        var expectedBoxes = boxes.index_select(0, tensor(expected.boxes)).data<float>().ToArray();
        Assert.That(result[0].narrow(0, 0, found).data<float>().ToArray(), Is.EqualTo(expectedBoxes));
        Assert.That(result[1].narrow(0, 0, found).data<float>().ToArray(), Is.EqualTo(expected.scores));
        Assert.That(result[2].narrow(0, 0, found).data<int>().ToArray(), Is.EqualTo(expected.labels));
        Assert.That(result[2].narrow(0, found, maxDetections - found).data<int>().ToArray(), Is.All.EqualTo(-1));
    }

    [Test]
    public void NaNScores_AreNeverDetections()
    {
        using var scope = NewDisposeScope();
        var (boxes, scores) = Inputs(8, 3000, 3, false);
        scores.narrow(0, 0, 1500).fill_(float.NaN);
        var result = FilterDetections.filter_detections(boxes, scores, null, score_threshold: 0.0, max_detections: 30);
        var expected = Reference(boxes, scores, true, true, 0.0, 30, 0.5);
        Assert.That(result[1].data<float>().ToArray(), Has.None.NaN);
        Assert.That(result[1].data<float>().ToArray(), Is.EqualTo(expected.scores));
    }
}
