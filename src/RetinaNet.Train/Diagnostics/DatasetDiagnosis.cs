using System.Globalization;
using RetinaNet.Layers.Utils;
using Generator = RetinaNet.Train.Preprocessing.Generator;

namespace RetinaNet.Train.Diagnostics;

/// <summary>
/// <c>retinanet diagnose</c>'s findings for a dataset before training: per annotation the best anchor IoU at the
/// network input size, the share of boxes without a positive anchor per class, size and aspect, dropped and
/// degenerate boxes, classes and images without annotations, class-mapping mistakes, and suggested anchors.
/// </summary>
public sealed class DatasetDiagnosis
{
    /// <summary>Boxes smaller than this many input pixels on a side count as degenerate after resizing.</summary>
    public const double DegenerateSide = 1;

    DatasetDiagnosis() { }

    /// <summary>The scanned boxes.</summary>
    public DatasetScan Scan { get; private init; } = null!;

    /// <summary>Best anchor IoU of each of <see cref="DatasetScan.Boxes"/> with the current anchors.</summary>
    public IReadOnlyList<double> BestIoU { get; private init; } = [];

    /// <summary>Coverage per class (all classes, including those without boxes).</summary>
    public IReadOnlyList<CoverageBucket> PerClass { get; private init; } = [];

    /// <summary>Coverage per size range (square root of the box area at the input size).</summary>
    public IReadOnlyList<CoverageBucket> PerSize { get; private init; } = [];

    /// <summary>Coverage per aspect range (height / width).</summary>
    public IReadOnlyList<CoverageBucket> PerAspect { get; private init; } = [];

    /// <summary>Problems found, each with its effect on training.</summary>
    public IReadOnlyList<Finding> Findings { get; private set; } = [];

    /// <summary>The anchors checked, with their pyramid levels.</summary>
    public AnchorConfig Anchors { get; private init; } = AnchorConfig.Default;

    /// <summary>The pyramid levels checked.</summary>
    public IReadOnlyList<int> Levels => Anchors.pyramid_levels;

    /// <summary>The anchor search's result.</summary>
    public AnchorOptimizer.Result Suggestion { get; private init; } = null!;

    /// <summary>Share of boxes with a positive anchor.</summary>
    public double Coverage => AnchorCoverage.Share(BestIoU);

    /// <summary>Diagnoses a generator's dataset (its resize settings are training's).</summary>
    public static DatasetDiagnosis Run(Generator generator, AnchorConfig anchors,
        Func<int, (int Width, int Height)>? imageSize = null, int iterations = 400, int seed = 0)
    {
        var scan = DatasetScan.Of(generator, imageSize);
        var best = new AnchorCoverage(anchors).BestIoU(scan.Boxes);
        var labels = Enumerable.Range(0, generator.num_classes()).Where(generator.has_label).ToList();
        var perClass = labels.Select(l => Bucket(generator.label_to_name(l), scan, best, b => b.Label == l)).ToList();
        var perSize = SizeBuckets.Select(s => Bucket(s.Name, scan, best, b => s.Contains(Math.Sqrt(b.Input.Area)))).ToList();
        var perAspect = AspectBuckets.Select(s => Bucket(s.Name, scan, best, b => s.Contains(b.Input.Height / b.Input.Width))).ToList();
        var suggestion = AnchorOptimizer.Optimize(scan.Boxes, anchors, iterations, seed: seed);
        var diagnosis = new DatasetDiagnosis
        {
            Scan = scan, BestIoU = best, PerClass = perClass, PerSize = perSize, PerAspect = perAspect, Anchors = anchors,
            Suggestion = suggestion,
        };
        diagnosis.Findings = Find(generator, diagnosis, labels);
        return diagnosis;
    }

    /// <summary>Size ranges: COCO's small / medium / large (side 32 and 96 px at the input size), small split at 16.</summary>
    public static readonly (string Name, Func<double, bool> Contains)[] SizeBuckets =
    [
        ("tiny (< 16 px)", s => s < 16), ("small (16-32 px)", s => s >= 16 && s < 32),
        ("medium (32-96 px)", s => s >= 32 && s < 96), ("large (>= 96 px)", s => s >= 96),
    ];

    /// <summary>Aspect ranges of height / width.</summary>
    public static readonly (string Name, Func<double, bool> Contains)[] AspectBuckets =
    [
        ("very wide (h/w < 1/3)", a => a < 1.0 / 3), ("wide (1/3-2/3)", a => a >= 1.0 / 3 && a < 2.0 / 3),
        ("square-ish (2/3-3/2)", a => a >= 2.0 / 3 && a <= 1.5), ("tall (3/2-3)", a => a > 1.5 && a <= 3),
        ("very tall (h/w > 3)", a => a > 3),
    ];

    static CoverageBucket Bucket(string name, DatasetScan scan, IReadOnlyList<double> best, Func<DatasetBox, bool> selected)
    {
        var ious = scan.Boxes.Select((b, i) => (b, i)).Where(p => selected(p.b)).Select(p => best[p.i]).ToList();
        return new CoverageBucket(name, ious.Count, ious.Count(v => v < AnchorCoverage.PositiveIoU), ious.Count == 0 ? double.NaN : ious.Average());
    }

    static List<Finding> Find(Generator generator, DatasetDiagnosis d, IReadOnlyList<int> labels)
    {
        var findings = new List<Finding>();
        string P(double share) => (100 * share).ToString("0.#", CultureInfo.InvariantCulture) + "%";
        var scan = d.Scan;
        int uncovered = d.BestIoU.Count(v => v < AnchorCoverage.PositiveIoU);
        if (uncovered > 0)
        {
            findings.Add(new("no_positive_anchor",
                $"{uncovered} of {scan.Boxes.Count} boxes ({P((double)uncovered / scan.Boxes.Count)}) reach no anchor with IoU >= 0.5: they are never positive targets, " +
                "so the model is taught to call them background. Use the suggested --config anchors or change the image size."));
            foreach (var c in d.PerClass.Where(c => c.WithoutPositive > 0))
                findings.Add(new("class_without_positive_anchor",
                    $"Class '{c.Name}': {c.WithoutPositive} of {c.Boxes} boxes ({P(c.ShareWithoutPositive)}) have no positive anchor: its recall is capped at {P(1 - c.ShareWithoutPositive)}."));
        }
        var degenerate = scan.Boxes.Where(b => b.Input.Width < DegenerateSide || b.Input.Height < DegenerateSide).ToList();
        if (degenerate.Count > 0)
            findings.Add(new("degenerate_after_resize",
                $"{degenerate.Count} boxes are thinner than {DegenerateSide} px at the network input size (e.g. image {generator.image_path(degenerate[0].Image)}): " +
                "nothing can find them; raise --image-min-side or drop them."));
        if (scan.Invalid.Count > 0)
        {
            var (image, _, box) = scan.Invalid[0];
            findings.Add(new("invalid_box",
                $"{scan.Invalid.Count} boxes lie outside their image or have x2 <= x1 / y2 <= y1 (e.g. {Box(box)} in {generator.image_path(image)}): " +
                "training drops them with a warning, so those objects are never learned; check the annotation format (x1,y1,x2,y2 in pixels)."));
        }
        var counts = scan.Boxes.GroupBy(b => b.Label).ToDictionary(g => g.Key, g => g.Count());
        foreach (var l in labels.Where(l => !counts.ContainsKey(l)))
            findings.Add(new("class_without_annotations",
                $"Class '{generator.label_to_name(l)}' has no annotations: its output only ever learns 'no' and its AP will be 0; add examples or remove it from the classes."));
        foreach (var l in labels.Where(l => counts.TryGetValue(l, out var n) && n < 10))
            findings.Add(new("rare_class",
                $"Class '{generator.label_to_name(l)}' has only {counts[l]} annotation(s): too few to learn it reliably."));
        if (scan.ImagesWithoutAnnotations.Count > 0)
            findings.Add(new("image_without_annotations",
                $"{scan.ImagesWithoutAnnotations.Count} of {scan.ImageCount} images have no annotations (e.g. {generator.image_path(scan.ImagesWithoutAnnotations[0])}): " +
                "they train as pure background, which is right for negatives and wrong if their labels were lost."));
        for (int l = 0; l < generator.num_classes(); l++)
            if (!generator.has_label(l))
                findings.Add(new("label_gap",
                    $"No class has label {l} although labels go up to {generator.num_classes() - 1}: the network gets an output for it that never has examples; number classes 0..n-1."));
        foreach (var group in labels.GroupBy(l => Normalize(generator.label_to_name(l))).Where(g => g.Count() > 1))
            findings.Add(new("similar_class_names",
                $"Classes {string.Join(" and ", group.Select(l => $"'{generator.label_to_name(l)}'"))} differ only in case, spaces or a plural 's': " +
                "their annotations are split between separate outputs; merge them in the classes and annotations files."));
        return findings;
    }

    static string Normalize(string name)
    {
        var n = new string(name.Where(c => !char.IsWhiteSpace(c) && c != '_' && c != '-').ToArray()).ToLowerInvariant();
        return n.Length > 1 && n.EndsWith('s') ? n[..^1] : n;
    }

    static string Box(Evaluation.CornerBox b) =>
        string.Create(CultureInfo.InvariantCulture, $"({b.X1:0.#}, {b.Y1:0.#}, {b.X2:0.#}, {b.Y2:0.#})");
}
