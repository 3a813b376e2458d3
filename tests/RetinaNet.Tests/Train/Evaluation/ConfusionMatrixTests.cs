using RetinaNet.Train.Evaluation;
using static RetinaNet.Tests.Train.Evaluation.ReportCases;

namespace RetinaNet.Tests.Train.Evaluation;

public class ConfusionMatrixTests
{
    // Five boxes over two images. Image 1: a cat found as cat, a dog found as cat, a dog missed.
    // Image 2: a cat found as cat, a cat missed (its detection scores 0.01, under the 0.05 threshold), and a dog
    // detection on empty background.
    static readonly EvaluationImage[] Images =
    [
        Image([(Cat, Box(0, 0, 10, 10)), (Dog, Box(20, 0, 30, 10)), (Dog, Box(40, 0, 50, 10))],
              [(Cat, Box(0, 0, 10, 10), 0.9), (Cat, Box(20, 0, 30, 10), 0.8)]),
        Image([(Cat, Box(0, 0, 10, 10)), (Cat, Box(20, 20, 30, 30))],
              [(Cat, Box(0, 0, 10, 10), 0.9), (Dog, Box(60, 60, 70, 70), 0.6), (Cat, Box(20, 20, 30, 30), 0.01)]),
    ];

    [Test]
    public void FiveBoxes_GiveTheHandCountedMatrix_WithBackgroundRowAndColumn()
    {
        var matrix = ConfusionMatrix.Compute(Images, [Cat, Dog], iouThreshold: 0.5, scoreThreshold: 0.05);
        // rows: true cat, dog, background; columns: predicted cat, dog, background.
        Assert.That(matrix.Counts, Is.EqualTo(new long[,] { { 2, 0, 1 }, { 1, 0, 1 }, { 0, 1, 0 } }));
        Assert.That(matrix.Normalized(), Is.EqualTo(new double[,] { { 2.0 / 3, 0, 1.0 / 3 }, { 0.5, 0, 0.5 }, { 0, 1, 0 } }).Within(1e-12));
    }

    [Test]
    public void LoweringTheScoreThreshold_CountsTheWeakDetection()
    {
        var matrix = ConfusionMatrix.Compute(Images, [Cat, Dog], scoreThreshold: 0.0);
        Assert.That(matrix.Counts[0, 0], Is.EqualTo(3));
        Assert.That(matrix.Counts[0, 2], Is.Zero);
    }
}
