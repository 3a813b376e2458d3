namespace RetinaNet.Train.Evaluation;

/// <summary>
/// Everything a detailed evaluation report shows, computed from the per-image detections and annotations an
/// evaluation produces (<see cref="ModelEvaluation.get_detections"/>): per-class figures and precision–recall curves,
/// the overall (micro-averaged) curve, the confusion matrix, TIDE's error breakdown, COCO-style figures, the worst
/// images, and plain-words reasons when mAP is 0.
/// </summary>
public sealed class EvaluationDetails
{
    /// <summary>Worst images kept for drawing.</summary>
    public const int DefaultWorstCount = 8;

    /// <summary>Short names of COCO's 12 figures, in pycocotools' order (areas: small &lt; 32², medium &lt; 96², large).</summary>
    public static IReadOnlyList<string> CocoNames { get; } =
        ["AP", "AP50", "AP75", "AP_small", "AP_medium", "AP_large", "AR1", "AR10", "AR100", "AR_small", "AR_medium", "AR_large"];

    EvaluationDetails() { }

    /// <summary>IoU at which a detection counts as found.</summary>
    public double IouThreshold { get; private init; }

    /// <summary>Score threshold for precision/recall/F1, the confusion matrix and the worst images.</summary>
    public double ScoreThreshold { get; private init; }

    /// <summary>Per-class figures, in label order.</summary>
    public IReadOnlyList<ClassMetrics> Classes { get; private init; } = [];

    /// <summary>Per-class precision–recall curves at <see cref="IouThreshold"/>, by label.</summary>
    public IReadOnlyDictionary<int, PrecisionRecallCurve> Curves { get; private init; } = new Dictionary<int, PrecisionRecallCurve>();

    /// <summary>All classes' detections ranked together against all annotations (micro average).</summary>
    public PrecisionRecallCurve Overall { get; private init; } = null!;

    /// <summary>Confusion matrix at <see cref="IouThreshold"/> and <see cref="ScoreThreshold"/>.</summary>
    public ConfusionMatrix Confusion { get; private init; } = null!;

    /// <summary>TIDE's error breakdown at <see cref="IouThreshold"/>.</summary>
    public ErrorBreakdown Errors { get; private init; } = null!;

    /// <summary>COCO's 12 figures (AP, AP50, AP75, AP small/medium/large, AR1/10/100, AR small/medium/large), over
    /// the classes with annotations.</summary>
    public IReadOnlyDictionary<string, double> Coco { get; private init; } = new Dictionary<string, double>();

    /// <summary>Indices of the images with the most misses plus false positives (at the score threshold), worst first,
    /// with those counts.</summary>
    public IReadOnlyList<(int Image, int Missed, int FalsePositives)> Worst { get; private init; } = [];

    /// <summary>Why mAP (or a class's AP) is 0, in plain words; empty when nothing looks wrong.</summary>
    public IReadOnlyList<string> Explanations { get; private init; } = [];

    /// <summary>The class name of a label.</summary>
    public Func<int, string> LabelToName { get; private init; } = l => l.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The per-image data the figures came from.</summary>
    public IReadOnlyList<EvaluationImage> Images { get; private init; } = [];

    /// <summary>Mean AP@0.5 over classes with annotations (NaN if none): the same value as the VOC evaluation.</summary>
    public double MeanAveragePrecision => ClassAverages.Unweighted(Classes.Select(c => (c.AP50, c.Annotations)));

    /// <summary>Computes every figure.</summary>
    /// <param name="images">Per-image detections and annotations.</param>
    /// <param name="labels">Class labels to report.</param>
    /// <param name="labelToName">Class names.</param>
    /// <param name="iouThreshold">IoU for a match (0.5).</param>
    /// <param name="scoreThreshold">Threshold for precision, recall, F1, the confusion matrix and the worst images.</param>
    /// <param name="worstCount">How many worst images to keep.</param>
    public static EvaluationDetails Compute(IReadOnlyList<EvaluationImage> images, IEnumerable<int> labels, Func<int, string> labelToName,
        double iouThreshold = VocEvaluation.DefaultIouThreshold, double scoreThreshold = CountedDetections.DefaultScoreThreshold,
        int worstCount = DefaultWorstCount)
    {
        var labelList = labels.ToList();
        var matches = labelList.ToDictionary(l => l, l => DetectionMatching.MatchClass(images, l, iouThreshold));
        var curves = matches.ToDictionary(p => p.Key, p => new PrecisionRecallCurve(p.Value.Matches, p.Value.NumAnnotations));
        var coco = CocoStyleMetrics.Evaluate(images, labelList);
        var cocoAp = coco.Categories.ToDictionary(c => c.CategoryId, c => c.AveragePrecision < 0 ? double.NaN : c.AveragePrecision);
        var classes = labelList.Select(l =>
        {
            var curve = curves[l];
            var (p, r, f1) = curve.At(scoreThreshold);
            var (bestThreshold, bestF1) = curve.BestF1();
            return new ClassMetrics(l, labelToName(l), curve.NumAnnotations, curve.DetectionsAt(scoreThreshold), curve.AveragePrecision,
                cocoAp.GetValueOrDefault(l, double.NaN), p, r, f1, bestThreshold, bestF1);
        }).ToList();
        var overall = new PrecisionRecallCurve(matches.Values.SelectMany(m => m.Matches), matches.Values.Sum(m => m.NumAnnotations));
        var confusion = ConfusionMatrix.Compute(images, labelList, iouThreshold, scoreThreshold);
        var totalDetections = images.Sum(i => i.Detections.Values.Sum(d => d.Count(x => x.Score >= scoreThreshold)));
        return new EvaluationDetails
        {
            IouThreshold = iouThreshold,
            ScoreThreshold = scoreThreshold,
            Classes = classes,
            Curves = curves,
            Overall = overall,
            Confusion = confusion,
            Errors = ErrorBreakdown.Compute(images, labelList, iouThreshold),
            Coco = CocoNames.Zip(coco.Stats).ToDictionary(p => p.First, p => p.Second < 0 ? double.NaN : p.Second),
            Worst = WorstImages(images, labelList, iouThreshold, scoreThreshold, worstCount),
            Explanations = MapZeroExplanation.Explain(classes, scoreThreshold, totalDetections),
            LabelToName = labelToName,
            Images = images,
        };
    }

    static List<(int, int, int)> WorstImages(IReadOnlyList<EvaluationImage> images, IReadOnlyList<int> labels, double iou, double score, int count)
    {
        var index = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i);
        var rows = new List<(int Image, int Missed, int FalsePositives)>();
        for (int i = 0; i < images.Count; i++)
        {
            var (truth, detected) = ConfusionMatrix.Flatten(images[i], index, score);
            // A miss or false positive here is per class: a detection of the wrong class counts as both.
            int missed = 0, extra = 0;
            foreach (var label in Enumerable.Range(0, labels.Count))
            {
                ConfusionMatrix.MatchPairs(truth.Where(t => t.Index == label).Select(t => t.Box).ToList(),
                    detected.Where(d => d.Index == label).Select(d => d.Box).ToList(), iou, out var m, out var e);
                missed += m.Count;
                extra += e.Count;
            }
            if (missed + extra > 0) rows.Add((i, missed, extra));
        }
        return rows.OrderByDescending(r => r.Missed + r.FalsePositives).ThenBy(r => r.Image).Take(count)
            .Select(r => (r.Image, r.Missed, r.FalsePositives)).ToList();
    }
}
