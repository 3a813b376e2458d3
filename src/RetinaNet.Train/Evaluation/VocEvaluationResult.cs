namespace RetinaNet.Train.Evaluation;

/// <summary>
/// The result of <see cref="VocEvaluation.Evaluate"/>: per-class AP and instance counts (keras-retinanet's dict
/// <c>label → (AP, num_annotations)</c>, in the order the labels were given) and the mean inference time.
/// </summary>
public sealed class VocEvaluationResult
{
    private readonly Dictionary<int, ClassAveragePrecision> _byLabel;

    /// <summary>A result from per-class values.</summary>
    public VocEvaluationResult(IReadOnlyList<ClassAveragePrecision> classes, int imageCount, double inferenceTime)
    {
        Classes = classes;
        ImageCount = imageCount;
        InferenceTime = inferenceTime;
        _byLabel = classes.ToDictionary(c => c.Label);
    }

    /// <summary>Per-class results, in the order the labels were evaluated.</summary>
    public IReadOnlyList<ClassAveragePrecision> Classes { get; }

    /// <summary>The result of one label.</summary>
    public ClassAveragePrecision this[int label] => _byLabel[label];

    /// <summary>Number of images evaluated.</summary>
    public int ImageCount { get; }

    /// <summary>Mean network time per image in seconds (<c>sum(inference times) / number of images</c>).</summary>
    public double InferenceTime { get; }

    /// <summary>Number of annotations over all classes.</summary>
    public int TotalInstances => Classes.Sum(c => c.NumAnnotations);

    /// <summary>Mean AP over the classes with at least one annotation (keras-retinanet's <c>mAP</c>); NaN if none.</summary>
    public double MeanAveragePrecision => MeanAveragePrecisionOf(weightedAverage: false);

    /// <summary>AP averaged with each class weighted by its annotation count (<c>--weighted-average</c>); NaN if none.</summary>
    public double WeightedMeanAveragePrecision => MeanAveragePrecisionOf(weightedAverage: true);

    /// <summary>The mAP the training callback logs: weighted or not, as its <c>weighted_average</c> flag.</summary>
    public double MeanAveragePrecisionOf(bool weightedAverage)
    {
        var pairs = Classes.Select(c => (c.AveragePrecision, c.NumAnnotations));
        return weightedAverage ? ClassAverages.Weighted(pairs) : ClassAverages.Unweighted(pairs);
    }
}
