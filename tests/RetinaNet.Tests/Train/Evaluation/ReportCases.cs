using RetinaNet.Train.Evaluation;

namespace RetinaNet.Tests.Train.Evaluation;

/// <summary>Small hand-made evaluation inputs whose figures are worked out in the tests' comments.</summary>
static class ReportCases
{
    public const int Cat = 0, Dog = 1;

    public static CornerBox Box(double x1, double y1, double x2, double y2) => new(x1, y1, x2, y2);

    public static EvaluationImage Image(IEnumerable<(int label, CornerBox box)> truth, IEnumerable<(int label, CornerBox box, double score)> detections)
    {
        var image = new EvaluationImage();
        foreach (var (label, box) in truth) image.AddAnnotation(label, box);
        foreach (var (label, box, score) in detections.OrderByDescending(d => d.score)) image.AddDetection(label, new Detection(box, score));
        return image;
    }

    public static string Name(int label) => label == Cat ? "cat" : label == Dog ? "dog" : $"class{label}";
}
