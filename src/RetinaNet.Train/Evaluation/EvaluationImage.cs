namespace RetinaNet.Train.Evaluation;

/// <summary>
/// What the Pascal VOC-style evaluation knows of one image: its detections and its ground-truth boxes, each split
/// by class label, and how long the network took on it. A label missing from a dictionary has none.
/// </summary>
public sealed class EvaluationImage
{
    /// <summary>An image with no detections or annotations yet (fill <see cref="Detections"/> and
    /// <see cref="Annotations"/>).</summary>
    public EvaluationImage(double inferenceTime = 0)
        : this(new Dictionary<int, List<Detection>>(), new Dictionary<int, List<CornerBox>>(), inferenceTime) { }

    /// <summary>An image from detections and annotations already split by label.</summary>
    public EvaluationImage(
        Dictionary<int, List<Detection>> detections,
        Dictionary<int, List<CornerBox>> annotations,
        double inferenceTime = 0)
    {
        Detections = detections;
        Annotations = annotations;
        InferenceTime = inferenceTime;
    }

    /// <summary>Detections per class label (see <see cref="CountedDetections.Select"/>).</summary>
    public Dictionary<int, List<Detection>> Detections { get; }

    /// <summary>Ground-truth boxes per class label.</summary>
    public Dictionary<int, List<CornerBox>> Annotations { get; }

    /// <summary>Seconds the network took on this image (averaged into the report).</summary>
    public double InferenceTime { get; }

    /// <summary>The detections of one label (empty if none).</summary>
    public IReadOnlyList<Detection> DetectionsOf(int label) =>
        Detections.TryGetValue(label, out var found) ? found : [];

    /// <summary>The ground-truth boxes of one label (empty if none).</summary>
    public IReadOnlyList<CornerBox> AnnotationsOf(int label) =>
        Annotations.TryGetValue(label, out var found) ? found : [];

    /// <summary>Adds a ground-truth box of <paramref name="label"/>.</summary>
    public void AddAnnotation(int label, CornerBox box)
    {
        if (!Annotations.TryGetValue(label, out var list)) Annotations[label] = list = [];
        list.Add(box);
    }

    /// <summary>Adds a detection of <paramref name="label"/>.</summary>
    public void AddDetection(int label, Detection detection)
    {
        if (!Detections.TryGetValue(label, out var list)) Detections[label] = list = [];
        list.Add(detection);
    }
}
