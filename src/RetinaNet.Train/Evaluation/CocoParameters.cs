namespace RetinaNet.Train.Evaluation;

/// <summary>
/// Parameters of the COCO box evaluation; the defaults are pycocotools' <c>Params(iouType='bbox')</c>.
/// <see cref="CocoEvaluationResult.Stats"/> and the summary assume the defaults, as <c>summarize()</c> does.
/// </summary>
public sealed class CocoParameters
{
    /// <summary>IoU thresholds, default <c>np.linspace(.5, .95, 10)</c>.</summary>
    public IReadOnlyList<double> IouThresholds { get; init; } = Linspace(0.5, 0.95, 10);

    /// <summary>Recall thresholds of the interpolated precision, default <c>np.linspace(0, 1, 101)</c>.</summary>
    public IReadOnlyList<double> RecallThresholds { get; init; } = Linspace(0.0, 1.0, 101);

    /// <summary>Detections kept per image and category, default <c>[1, 10, 100]</c> (at least three values).</summary>
    public IReadOnlyList<int> MaxDetections { get; init; } = [1, 10, 100];

    /// <summary>Object-area ranges: all <c>[0, 1e5²]</c>, small <c>[0, 32²]</c>, medium <c>[32², 96²]</c>,
    /// large <c>[96², 1e5²]</c>.</summary>
    public IReadOnlyList<CocoAreaRange> AreaRanges { get; init; } =
    [
        new("all", 0, 1e5 * 1e5),
        new("small", 0, 32 * 32),
        new("medium", 32 * 32, 96 * 96),
        new("large", 96 * 96, 1e5 * 1e5),
    ];

    /// <summary>
    /// numpy's <c>linspace(start, stop, num)</c> bit for bit (<c>i * step + start</c>, last value <c>stop</c>), so
    /// thresholds compare exactly as in pycocotools: the 9th IoU threshold is 0.8999999999999999, not 0.9.
    /// </summary>
    public static double[] Linspace(double start, double stop, int num)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(num, 1);
        var values = new double[num];
        if (num == 1)
        {
            values[0] = start;
            return values;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) values[i] = i * step + start;
        values[^1] = stop;
        return values;
    }
}
