namespace RetinaNet.Train.Evaluation;

/// <summary>
/// TIDE's error breakdown (Bolya et al., "TIDE: A General Toolbox for Identifying Object Detection Errors", 2020):
/// each false positive gets one category, each unfound box is missed, and for each category the mAP gained if
/// that error alone were fixed (the "oracle" fix). Matching is keras-retinanet's (<see cref="DetectionMatching"/>),
/// so the base mAP equals the VOC mAP at the same IoU.
/// </summary>
public sealed class ErrorBreakdown
{
    /// <summary>TIDE's background threshold: below this IoU a detection overlaps nothing.</summary>
    public const double DefaultBackgroundIoU = 0.1;

    ErrorBreakdown(double baseMap, IReadOnlyDictionary<ErrorType, int> counts, IReadOnlyDictionary<ErrorType, double> deltas)
    {
        BaseMeanAveragePrecision = baseMap;
        Counts = counts;
        MapGain = deltas;
    }

    /// <summary>mAP before any fix (classes with annotations).</summary>
    public double BaseMeanAveragePrecision { get; }

    /// <summary>Errors per category (detections for all but <see cref="ErrorType.Missed"/>, which counts boxes).</summary>
    public IReadOnlyDictionary<ErrorType, int> Counts { get; }

    /// <summary>mAP added by fixing each category alone (dAP in TIDE).</summary>
    public IReadOnlyDictionary<ErrorType, double> MapGain { get; }

    sealed class Det(int label, double score, int image)
    {
        public int Label = label;
        public double Score = score;
        public int Image = image;
        public bool TruePositive;
        public ErrorType? Error;
        public (int Label, int Index)? Target; // the box a classification or localisation fix would give it
        public int MatchedIndex = -1;          // the box a true positive holds
    }

    /// <summary>Classifies every detection and computes each fix's mAP gain.</summary>
    public static ErrorBreakdown Compute(IReadOnlyList<EvaluationImage> images, IReadOnlyList<int> labels,
        double foregroundIoU = 0.5, double backgroundIoU = DefaultBackgroundIoU)
    {
        var labelSet = labels.ToHashSet();
        var all = new List<Det>();
        var missedPerLabel = labels.ToDictionary(l => l, _ => 0);
        var annotationsPerLabel = labels.ToDictionary(l => l, _ => 0);
        for (int i = 0; i < images.Count; i++)
        {
            var image = images[i];
            var taken = new HashSet<(int, int)>();
            var targeted = new HashSet<(int, int)>();
            var dets = image.Detections.Where(p => labelSet.Contains(p.Key))
                .SelectMany(p => p.Value.Select(d => (d, p.Key)))
                .OrderByDescending(x => x.d.Score).ToList();
            foreach (var (d, label) in dets)
            {
                var det = new Det(label, d.Score, i);
                all.Add(det);
                var (same, sameIoU) = DetectionMatching.BestOverlap(d.Box, image.AnnotationsOf(label));
                if (same >= 0 && sameIoU >= foregroundIoU)
                {
                    if (taken.Add((label, same))) (det.TruePositive, det.MatchedIndex) = (true, same);
                    else det.Error = ErrorType.Duplicate;
                    continue;
                }
                (int label, int index, double iou) other = (-1, -1, 0);
                foreach (var (otherLabel, boxes) in image.Annotations)
                {
                    if (otherLabel == label || !labelSet.Contains(otherLabel)) continue;
                    var (k, iou) = DetectionMatching.BestOverlap(d.Box, boxes);
                    if (k >= 0 && iou > other.iou) other = (otherLabel, k, iou);
                }
                if (other.iou >= foregroundIoU) (det.Error, det.Target) = (ErrorType.Classification, (other.label, other.index));
                else if (same >= 0 && sameIoU >= backgroundIoU) (det.Error, det.Target) = (ErrorType.Localization, (label, same));
                else if (other.iou >= backgroundIoU) det.Error = ErrorType.Both;
                else det.Error = ErrorType.Background;
                if (det.Target is { } t) targeted.Add(t);
            }
            foreach (var (label, boxes) in image.Annotations)
            {
                if (!labelSet.Contains(label)) continue;
                annotationsPerLabel[label] += boxes.Count;
                for (int k = 0; k < boxes.Count; k++)
                    if (!taken.Contains((label, k)) && !targeted.Contains((label, k))) missedPerLabel[label]++;
            }
        }

        double baseMap = Map(all.Select(d => (d.Label, d.Score, d.TruePositive)), annotationsPerLabel);
        var counts = Enum.GetValues<ErrorType>().ToDictionary(e => e, e => e == ErrorType.Missed
            ? missedPerLabel.Values.Sum() : all.Count(d => d.Error == e));
        var gains = new Dictionary<ErrorType, double>();
        foreach (var error in Enum.GetValues<ErrorType>())
        {
            var fixedAnnotations = error == ErrorType.Missed
                ? annotationsPerLabel.ToDictionary(p => p.Key, p => p.Value - missedPerLabel[p.Key])
                : annotationsPerLabel;
            // Oracle fixes: a classification or localisation error becomes a true positive of its target box when that
            // box is still free (in score order), otherwise it is removed; the other detection errors are removed.
            var fixedDets = new List<(int, double, bool)>();
            var claimedBoxes = all.Where(d => d.TruePositive).Select(d => (d.Image, d.Label, d.MatchedIndex)).ToHashSet();
            foreach (var d in all)
            {
                if (d.Error != error || error == ErrorType.Missed) { fixedDets.Add((d.Label, d.Score, d.TruePositive)); continue; }
                if (d.Target is { } t && claimedBoxes.Add((d.Image, t.Label, t.Index)))
                    fixedDets.Add((t.Label, d.Score, true));
            }
            gains[error] = Map(fixedDets, fixedAnnotations) - baseMap;
        }
        return new ErrorBreakdown(baseMap, counts, gains);
    }

    static double Map(IEnumerable<(int Label, double Score, bool TruePositive)> detections, IReadOnlyDictionary<int, int> annotations)
    {
        var byLabel = detections.ToLookup(d => d.Label);
        var present = annotations.Where(p => p.Value > 0).ToList();
        if (present.Count == 0) return double.NaN;
        return present.Average(p => new PrecisionRecallCurve(
            byLabel[p.Key].Select(d => new ScoredMatch(d.Score, d.TruePositive, 0)), p.Value).AveragePrecision);
    }
}
