using RetinaNet.Train.Evaluation;
using static RetinaNet.Tests.Train.Evaluation.ReportCases;

namespace RetinaNet.Tests.Train.Evaluation;

public class MapZeroExplanationTests
{
    [Test]
    public void NoDetections_SaysTheModelIsUntrainedOrDiverged_AndNamesAClassWithoutAnnotations()
    {
        EvaluationImage[] images = [Image([(Cat, Box(0, 0, 10, 10))], [])];
        var details = EvaluationDetails.Compute(images, [Cat, Dog], Name);
        Assert.That(details.Explanations, Has.Some.StartsWith("No detection scored above 0.05: the model is untrained"));
        Assert.That(details.Explanations, Has.Some.StartsWith("Class 'dog' has no annotations in this set"));
    }

    [Test]
    public void DetectionsThatOverlapNothing_PointAtBoxFormatAndSizing()
    {
        EvaluationImage[] images = [Image([(Cat, Box(0, 0, 10, 10))], [(Cat, Box(50, 50, 60, 60), 0.9)])];
        var details = EvaluationDetails.Compute(images, [Cat], Name);
        Assert.That(details.Explanations, Is.EqualTo(new[]
        {
            "Class 'cat': 1 detection(s) but none overlaps a ground-truth box by IoU ≥ 0.5: check the box format (x1,y1,x2,y2 in pixels), " +
            "that --image-min-side/--image-max-side match training, and the anchors (--config).",
        }));
    }

    [Test]
    public void AGoodModel_NeedsNoExplanation()
    {
        EvaluationImage[] images = [Image([(Cat, Box(0, 0, 10, 10))], [(Cat, Box(0, 0, 10, 10), 0.9)])];
        Assert.That(EvaluationDetails.Compute(images, [Cat], Name).Explanations, Is.Empty);
    }
}
