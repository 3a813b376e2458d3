using RetinaNet.Train.Evaluation;

namespace RetinaNet.Tests.Train.Evaluation;

public class CountedDetectionsTests
{
    [Test]
    public void ScoreThreshold_IsStrict_InFloat32()
    {
        // 0.05f equals the threshold (compared in float32 as numpy does) → dropped; the next float up is kept.
        float justAbove = MathF.BitIncrement(0.05f);
        float[] scores = [0.05f, justAbove, 0.04f, -1f];
        float[] boxes = new float[16];
        int[] labels = [0, 0, 0, -1];

        var selected = CountedDetections.Select(boxes, scores, labels);
        Assert.That(selected.Keys, Is.EquivalentTo(new[] { 0 }));
        Assert.That(selected[0].Select(d => d.Score), Is.EqualTo(new double[] { justAbove }));
    }

    [Test]
    public void SortsDescending_CapsAtMaxDetections_SplitsByLabel()
    {
        // Scores 0.3 (label 1), 0.9 (label 0), 0.6 (label 1), 0.8 (label 0); max 3 keeps 0.9, 0.8, 0.6.
        float[] scores = [0.3f, 0.9f, 0.6f, 0.8f];
        int[] labels = [1, 0, 1, 0];
        float[] boxes = [
            0, 0, 1, 1,
            10, 10, 11, 11,
            20, 20, 21, 21,
            30, 30, 31, 31,
        ];

        var selected = CountedDetections.Select(boxes, scores, labels, maxDetections: 3);
        Assert.That(selected[0], Is.EqualTo(new[]
        {
            new Detection(10, 10, 11, 11, 0.9f),
            new Detection(30, 30, 31, 31, 0.8f),
        }));
        Assert.That(selected[1], Is.EqualTo(new[] { new Detection(20, 20, 21, 21, 0.6f) }));
    }

    [Test]
    public void MismatchedLengths_Throw()
    {
        Assert.Throws<ArgumentException>(() => CountedDetections.Select(new float[7], new float[2], new int[2]));
    }
}
