using System.Globalization;

namespace RetinaNet.Train.Preprocessing;

/// <summary>
/// keras-retinanet's KITTI dataset (<c>preprocessing/kitti.py</c>): <c>base_dir/&lt;subset&gt;/labels/*.txt</c>, one
/// object per line in KITTI's 15 space-separated fields (type, truncated, occluded, alpha, left, top, right, bottom,
/// 3-D size, location and rotation), and the image <c>base_dir/&lt;subset&gt;/images/&lt;same name&gt;.png</c>.
/// The box is (left, top, right, bottom) in pixels; the type maps through <see cref="kitti_classes"/>.
/// </summary>
/// <remarks>
/// keras-retinanet lists the label folder in file-system order; ours is sorted by name so runs are reproducible.
/// Every label file is read and checked when the generator is created: an unknown type, a short line, a coordinate
/// that is not a number, or a missing image is a <see cref="DatasetException"/> naming the file and line.
/// </remarks>
public sealed class KittiGenerator : Generator
{
    /// <summary>KITTI's object types and their labels (Misc and DontCare share label 7, named DontCare).</summary>
    public static IReadOnlyDictionary<string, int> kitti_classes { get; } = new OrderedDictionary<string, int>
    {
        ["Car"] = 0, ["Van"] = 1, ["Truck"] = 2, ["Pedestrian"] = 3, ["Person_sitting"] = 4,
        ["Cyclist"] = 5, ["Tram"] = 6, ["Misc"] = 7, ["DontCare"] = 7,
    };

    /// <summary>Fields of a KITTI label line (the box is fields 4-7).</summary>
    const int FieldCount = 15;

    private readonly Dictionary<int, string> labels = new();
    private readonly List<string> images = new();
    private readonly List<Annotations> annotations = new();

    /// <summary>Reads and checks every label file of <paramref name="subset"/>.</summary>
    /// <param name="base_dir">The KITTI folder (holding train/ and val/).</param>
    /// <param name="subset">'train' or 'val'.</param>
    /// <param name="options">Batching and augmentation settings.</param>
    /// <exception cref="DatasetException">The label folder is missing, or a label file is malformed.</exception>
    public KittiGenerator(string base_dir, string subset = "train", GeneratorOptions? options = null) : base(options)
    {
        this.base_dir = base_dir;
        this.subset = subset;
        foreach (var (name, label) in kitti_classes) labels[label] = name; // the later name wins, as in a Python dict

        var labelDir = Path.Combine(base_dir, subset, "labels");
        var imageDir = Path.Combine(base_dir, subset, "images");
        if (!Directory.Exists(labelDir))
            throw new DatasetException($"invalid KITTI dataset: label folder not found: {labelDir}", labelDir);
        foreach (var labelFile in Directory.EnumerateFiles(labelDir, "*.txt").Order(StringComparer.Ordinal))
        {
            var image = Path.Combine(imageDir, Path.GetFileNameWithoutExtension(labelFile) + ".png");
            if (!File.Exists(image))
                throw new DatasetException($"invalid KITTI label file: {labelFile}: image not found: {image}", labelFile);
            images.Add(image);
            annotations.Add(ReadLabels(labelFile));
        }
    }

    /// <summary>The KITTI folder.</summary>
    public string base_dir { get; }

    /// <summary>The subset read ('train' or 'val').</summary>
    public string subset { get; }

    static Annotations ReadLabels(string file)
    {
        string[] lines;
        try { lines = File.ReadAllLines(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"invalid KITTI label file: {file}: {e.Message}", file, null, e);
        }
        var boxes = new List<(double x1, double y1, double x2, double y2)>();
        var ids = new List<int>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue; // csv skips empty lines
            int line = i + 1;
            var fields = lines[i].Split(' ');
            if (fields.Length < 8)
                throw new DatasetException(
                    $"invalid KITTI label file: {file}: line {line}: expected {FieldCount} space-separated fields (type, truncated, occluded, alpha, left, top, right, bottom, ...), found {fields.Length}",
                    file, line);
            if (!kitti_classes.TryGetValue(fields[0], out int label))
                throw new DatasetException(
                    $"invalid KITTI label file: {file}: line {line}: unknown type '{fields[0]}' (expected one of {string.Join(", ", kitti_classes.Keys)})",
                    file, line);
            double Coordinate(int index, string name) =>
                double.TryParse(fields[index], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                    ? value
                    : throw new DatasetException(
                        $"invalid KITTI label file: {file}: line {line}: malformed {name}: could not convert string to float: '{fields[index]}'",
                        file, line);
            boxes.Add((Coordinate(4, "left"), Coordinate(5, "top"), Coordinate(6, "right"), Coordinate(7, "bottom")));
            ids.Add(label);
        }
        var array = new double[boxes.Count, 4];
        for (int k = 0; k < boxes.Count; k++)
            (array[k, 0], array[k, 1], array[k, 2], array[k, 3]) = boxes[k];
        return new Annotations(array, ids.ToArray());
    }

    /// <inheritdoc/>
    public override int size() => images.Count;

    /// <summary>8: the largest label plus one.</summary>
    public override int num_classes() => kitti_classes.Values.Max() + 1;

    /// <inheritdoc/>
    public override bool has_label(int label) => labels.ContainsKey(label);

    /// <inheritdoc/>
    public override bool has_name(string name) => kitti_classes.ContainsKey(name);

    /// <inheritdoc/>
    public override int name_to_label(string name) => kitti_classes[name];

    /// <inheritdoc/>
    public override string label_to_name(int label) => labels[label];

    /// <inheritdoc/>
    public override string image_path(int image_index) => images[image_index];

    /// <inheritdoc/>
    public override Annotations load_annotations(int image_index) =>
        new((double[,])annotations[image_index].bboxes.Clone(), (int[])annotations[image_index].labels.Clone());
}
