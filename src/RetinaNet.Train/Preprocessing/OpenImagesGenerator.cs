using System.Globalization;
using System.Text;
using System.Text.Json;
using RetinaNet.Train.Utils;

namespace RetinaNet.Train.Preprocessing;

/// <summary>
/// keras-retinanet's Open Images dataset (<c>preprocessing/open_images.py</c>) for versions <c>v4</c> (metadata in
/// <c>main_dir/2018_04</c>), <c>challenge2018</c> (<c>main_dir/challenge2018</c>) and <c>v3</c> (<c>main_dir/2017_11</c>);
/// images are <c>main_dir/images/&lt;subset&gt;/&lt;ImageID&gt;.jpg</c> (challenge2018: always <c>images/train</c>, its
/// validation set being the train images listed in <c>challenge-2018-image-ids-valset-od.csv</c>).
/// </summary>
/// <remarks>
/// Classes are the rows of the class-description CSV in file order (v4 <c>class-descriptions-boxable.csv</c>,
/// challenge2018 <c>challenge-2018-class-descriptions-500.csv</c>; v3 <c>classes-bbox-trainable.txt</c> named through
/// <c>class-descriptions.csv</c>), named by their description without <c>" ' `</c>. Boxes are relative
/// XMin/XMax/YMin/YMax times the image size; rows of other classes or of images that cannot be opened are skipped
/// (challenge2018: a missing image is an error), a box whose rounded pixel width or height is 0 is dropped with a
/// warning, and x2 ≤ x1 or y2 ≤ y1 is an error naming the file and line. The parsed annotations are cached in
/// keras-retinanet's JSON layout at <c>&lt;annotation_cache_dir&gt;/&lt;subset&gt;.json</c> and read from there when
/// present (files written by keras-retinanet work too). <c>labels_filter</c> keeps the named classes, in that order;
/// <c>parent_label</c> (which takes precedence) keeps a class and its descendants in the hierarchy JSON; both number
/// the kept classes 0..n-1 and drop images left without boxes.
/// </remarks>
public sealed class OpenImagesGenerator : Generator
{
    /// <summary>One box of the cache: a class index and relative corners.</summary>
    private sealed record Box(int cls_id, double x1, double x2, double y1, double y2);

    /// <summary>One image of the cache: its size and boxes.</summary>
    private sealed record ImageEntry(int w, int h, List<Box> boxes);

    private readonly OrderedDictionary<string, ImageEntry> annotations;
    private readonly Dictionary<int, string> id_to_labels;
    private readonly List<string> image_ids;

    /// <summary>Reads (or parses and caches) the annotations of <paramref name="subset"/>.</summary>
    /// <param name="main_dir">The Open Images folder (metadata folder and images/).</param>
    /// <param name="subset">'train', 'validation' or 'test' (challenge2018: 'train' or 'validation').</param>
    /// <param name="version">'v4', 'challenge2018' or 'v3'.</param>
    /// <param name="labels_filter">Class descriptions to keep (e.g. Helmet, Hat), or null for all.</param>
    /// <param name="annotation_cache_dir">Folder of the parsed-annotation cache.</param>
    /// <param name="parent_label">Keep this class and its hierarchy descendants (e.g. Animal), or null.</param>
    /// <param name="options">Batching and augmentation settings.</param>
    /// <exception cref="NotSupportedException">An unknown version, or a challenge2018 subset other than train/validation.</exception>
    /// <exception cref="DatasetException">A metadata, annotation or cache file is missing or malformed.</exception>
    public OpenImagesGenerator(string main_dir, string subset, string version = "v4", IReadOnlyList<string>? labels_filter = null,
        string annotation_cache_dir = ".", string? parent_label = null, GeneratorOptions? options = null) : base(options)
    {
        var metadata = version switch
        {
            "challenge2018" => "challenge2018",
            "v4" => "2018_04",
            "v3" => "2017_11",
            _ => throw new NotSupportedException(
                $"There is currently no implementation for versions older than v3 (--version must be v4, challenge2018 or v3, got '{version}')."),
        };
        this.main_dir = main_dir;
        this.subset = subset;
        this.version = version;
        base_dir = Path.Combine(main_dir, "images", version == "challenge2018" ? "train" : subset);
        var metadataDir = Path.Combine(main_dir, metadata);
        annotation_cache_file = Path.Combine(annotation_cache_dir, subset + ".json");

        hierarchy_file = Path.Combine(metadataDir, version == "challenge2018" ? "bbox_labels_500_hierarchy.json" : "bbox_labels_600_hierarchy.json");
        var hierarchy = ReadJson(hierarchy_file, "hierarchy");
        var (allLabels, classIndex) = ReadLabels(metadataDir, version);

        if (File.Exists(annotation_cache_file))
            annotations = ReadCache(annotation_cache_file, allLabels.Count);
        else
        {
            annotations = ParseAnnotations(main_dir, metadataDir, subset, classIndex, version, warning_sink);
            AtomicFile.Write(annotation_cache_file, temp => WriteCache(temp, annotations));
        }

        if (labels_filter is not null || parent_label is not null)
            (id_to_labels, annotations) = Filter(annotations, allLabels, classIndex, hierarchy, labels_filter, parent_label);
        else
            id_to_labels = allLabels;
        image_ids = annotations.Keys.ToList();
    }

    /// <summary>The Open Images folder.</summary>
    public string main_dir { get; }

    /// <summary>The subset read.</summary>
    public string subset { get; }

    /// <summary>The dataset version.</summary>
    public string version { get; }

    /// <summary>The image folder.</summary>
    public string base_dir { get; }

    /// <summary>The annotation cache (<c>&lt;annotation_cache_dir&gt;/&lt;subset&gt;.json</c>).</summary>
    public string annotation_cache_file { get; }

    /// <summary>The class hierarchy JSON.</summary>
    public string hierarchy_file { get; }

    // ---- metadata ----

    static JsonElement ReadJson(string file, string what)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            return document.RootElement.Clone();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new DatasetException($"invalid Open Images {what} file: {file}: {e.Message}", file, null, e);
        }
    }

    static string ReadText(string file, string what)
    {
        try { return File.ReadAllText(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"invalid Open Images {what} file: {file}: {e.Message}", file, null, e);
        }
    }

    static string CleanDescription(string description) => description.Replace("\"", "").Replace("'", "").Replace("`", "");

    /// <summary>Index → description and LabelName (e.g. /m/0199g) → index.</summary>
    static (Dictionary<int, string> labels, Dictionary<string, int> index) ReadLabels(string metadataDir, string version)
    {
        var labels = new Dictionary<int, string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        if (version is "v4" or "challenge2018")
        {
            var file = Path.Combine(metadataDir, version == "v4" ? "class-descriptions-boxable.csv" : "challenge-2018-class-descriptions-500.csv");
            var rows = CsvRecords.Parse(ReadText(file, "class descriptions"));
            for (int r = 0; r < rows.Count; r++)
            {
                if (rows[r].Count == 0) continue;
                if (rows[r].Count < 2)
                    throw new DatasetException($"invalid Open Images class descriptions file: {file}: line {r + 1}: expected 'LabelName,Description'", file, r + 1);
                int i = labels.Count;
                labels[i] = CleanDescription(rows[r][1]);
                index[rows[r][0]] = i;
            }
        }
        else
        {
            var descriptionsFile = Path.Combine(metadataDir, "class-descriptions.csv");
            var trainableFile = Path.Combine(metadataDir, "classes-bbox-trainable.txt");
            var descriptions = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var row in CsvRecords.Parse(ReadText(descriptionsFile, "class descriptions")))
                if (row.Count >= 2) descriptions[row[0]] = CleanDescription(row[1]);
            var trainable = ReadText(trainableFile, "trainable classes").Split('\n');
            for (int r = 0; r < trainable.Length; r++)
            {
                var name = trainable[r].TrimEnd('\r');
                if (name.Length == 0) continue;
                if (!descriptions.TryGetValue(name, out var description))
                    throw new DatasetException(
                        $"invalid Open Images trainable classes file: {trainableFile}: line {r + 1}: class {name} is not in {descriptionsFile}", trainableFile, r + 1);
                int i = labels.Count;
                labels[i] = description;
                index[name] = i;
            }
        }
        return (labels, index);
    }

    // ---- annotation CSV → cache ----

    static OrderedDictionary<string, ImageEntry> ParseAnnotations(string mainDir, string metadataDir, string subset,
        Dictionary<string, int> classIndex, string version, Action<string> warn)
    {
        HashSet<string>? validationIds = null;
        string file;
        if (version == "v4") file = Path.Combine(metadataDir, subset, subset + "-annotations-bbox.csv");
        else if (version == "challenge2018")
        {
            if (subset is not ("train" or "validation"))
                throw new NotSupportedException($"This generator handles only the train and validation subsets (got '{subset}').");
            var idsFile = Path.Combine(metadataDir, "challenge-2018-image-ids-valset-od.csv");
            validationIds = ReadText(idsFile, "validation image ids").Split('\n').Skip(1)
                .Select(l => l.TrimEnd('\r').Split(',')[0]).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal);
            file = Path.Combine(metadataDir, "challenge-2018-train-annotations-bbox.csv");
        }
        else file = Path.Combine(metadataDir, subset, "annotations-human-bbox.csv");

        var result = new OrderedDictionary<string, ImageEntry>(StringComparer.Ordinal);
        var sizes = new Dictionary<string, (int w, int h)?>(StringComparer.Ordinal);
        IEnumerable<string> lines;
        try { lines = File.ReadLines(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"invalid Open Images annotations file: {file}: {e.Message}", file, null, e);
        }
        int lineNumber = 0;
        foreach (var text in lines)
        {
            lineNumber++;
            if (lineNumber == 1 || text.Length == 0) continue; // header; csv skips empty lines
            // Columns: ImageID, Source, LabelName, Confidence, XMin, XMax, YMin, YMax, IsOccluded, ...
            var row = text.Split(',');
            if (row.Length < 8)
                throw new DatasetException(
                    $"invalid Open Images annotations file: {file}: line {lineNumber}: expected ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,..., found {row.Length} fields",
                    file, lineNumber);
            var frame = row[0];
            if (validationIds is not null && (subset == "train") == validationIds.Contains(frame)) continue;
            if (!classIndex.TryGetValue(row[2], out int cls)) continue;

            var imagePath = Path.Combine(mainDir, "images", version == "challenge2018" ? "train" : subset, frame + ".jpg");
            if (!sizes.TryGetValue(frame, out var size))
            {
                try { size = ImageIO.read_image_size(imagePath); }
                catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
                {
                    if (version == "challenge2018")
                        throw new DatasetException($"invalid Open Images annotations file: {file}: line {lineNumber}: cannot open image {imagePath}: {e.Message}", file, lineNumber, e);
                    size = null; // keras-retinanet skips images it cannot open
                }
                sizes[frame] = size;
            }
            if (size is not (int width, int height)) continue;

            double Coordinate(int index, string name) =>
                double.TryParse(row[index], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                    ? value
                    : throw new DatasetException(
                        $"invalid Open Images annotations file: {file}: line {lineNumber}: malformed {name}: could not convert string to float: '{row[index]}'",
                        file, lineNumber);
            double x1 = Coordinate(4, "XMin"), x2 = Coordinate(5, "XMax"), y1 = Coordinate(6, "YMin"), y2 = Coordinate(7, "YMax");
            if (x2 <= x1)
                throw new DatasetException($"invalid Open Images annotations file: {file}: line {lineNumber}: x2 ({Py(x2)}) must be higher than x1 ({Py(x1)})", file, lineNumber);
            if (y2 <= y1)
                throw new DatasetException($"invalid Open Images annotations file: {file}: line {lineNumber}: y2 ({Py(y2)}) must be higher than y1 ({Py(y1)})", file, lineNumber);
            // Python's round() rounds halves to even, as Math.Round does by default.
            if (Math.Round(y2 * height) == Math.Round(y1 * height))
            {
                warn($"{file}: filtering line {lineNumber}: rounding y2 ({Py(y2)}) and y1 ({Py(y1)}) makes them equal");
                continue;
            }
            if (Math.Round(x2 * width) == Math.Round(x1 * width))
            {
                warn($"{file}: filtering line {lineNumber}: rounding x2 ({Py(x2)}) and x1 ({Py(x1)}) makes them equal");
                continue;
            }
            if (!result.TryGetValue(frame, out var entry)) result[frame] = entry = new ImageEntry(width, height, new List<Box>());
            entry.boxes.Add(new Box(cls, x1, x2, y1, y2));
        }
        return result;
    }

    static string Py(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    static void WriteCache(string path, OrderedDictionary<string, ImageEntry> annotations)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        foreach (var (id, entry) in annotations)
        {
            json.WriteStartObject(id);
            json.WriteNumber("w", entry.w);
            json.WriteNumber("h", entry.h);
            json.WriteStartArray("boxes");
            foreach (var box in entry.boxes)
            {
                json.WriteStartObject();
                json.WriteNumber("cls_id", box.cls_id);
                json.WriteNumber("x1", box.x1);
                json.WriteNumber("x2", box.x2);
                json.WriteNumber("y1", box.y1);
                json.WriteNumber("y2", box.y2);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    static OrderedDictionary<string, ImageEntry> ReadCache(string file, int classCount)
    {
        var result = new OrderedDictionary<string, ImageEntry>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var image in document.RootElement.EnumerateObject())
            {
                var boxes = new List<Box>();
                foreach (var b in image.Value.GetProperty("boxes").EnumerateArray())
                {
                    var box = new Box(b.GetProperty("cls_id").GetInt32(), b.GetProperty("x1").GetDouble(), b.GetProperty("x2").GetDouble(),
                        b.GetProperty("y1").GetDouble(), b.GetProperty("y2").GetDouble());
                    if (box.cls_id < 0 || box.cls_id >= classCount)
                        throw new FormatException($"image {image.Name} has class index {box.cls_id}, but the class descriptions list {classCount} classes");
                    boxes.Add(box);
                }
                result[image.Name] = new ImageEntry(image.Value.GetProperty("w").GetInt32(), image.Value.GetProperty("h").GetInt32(), boxes);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException
                                       or InvalidOperationException or FormatException)
        {
            throw new DatasetException($"invalid Open Images annotation cache: {file}: {e.Message} (delete it to parse the annotations again)", file, null, e);
        }
        return result;
    }

    // ---- class filter ----

    static (Dictionary<int, string>, OrderedDictionary<string, ImageEntry>) Filter(OrderedDictionary<string, ImageEntry> annotations,
        Dictionary<int, string> labels, Dictionary<string, int> classIndex, JsonElement hierarchy,
        IReadOnlyList<string>? labelsFilter, string? parentLabel)
    {
        // Kept original index → description, in keep order (first occurrence wins).
        var kept = new OrderedDictionary<int, string>();
        if (parentLabel is null)
        {
            foreach (var name in labelsFilter!)
            {
                var match = labels.Where(l => l.Value == name).Select(l => (int?)l.Key).FirstOrDefault();
                if (match is int i) kept.TryAdd(i, name);
            }
        }
        else
        {
            var parentIndex = labels.Where(l => l.Value == parentLabel).Select(l => (int?)l.Key).FirstOrDefault()
                ?? throw new ArgumentException($"Couldnt find label {parentLabel}");
            var parentClass = classIndex.First(c => c.Value == parentIndex).Key;
            var tree = FindInHierarchy(hierarchy, parentClass)
                ?? throw new ArgumentException($"Couldnt find parent {parentLabel} in the semantic hierarchical tree");
            foreach (var cls in Descendants(tree))
            {
                if (!classIndex.TryGetValue(cls, out int index))
                    throw new ArgumentException($"The hierarchy under {parentLabel} names class {cls}, which the class descriptions do not list");
                kept.TryAdd(index, labels[index]);
            }
        }

        var newIndex = kept.Keys.Select((old, i) => (old, i)).ToDictionary(x => x.old, x => x.i);
        var filtered = new OrderedDictionary<string, ImageEntry>(StringComparer.Ordinal);
        foreach (var (id, entry) in annotations)
        {
            var boxes = entry.boxes.Where(b => newIndex.ContainsKey(b.cls_id)).Select(b => b with { cls_id = newIndex[b.cls_id] }).ToList();
            if (boxes.Count > 0) filtered[id] = entry with { boxes = boxes };
        }
        return (kept.ToDictionary(k => newIndex[k.Key], k => k.Value), filtered);
    }

    static JsonElement? FindInHierarchy(JsonElement node, string labelName)
    {
        if (node.TryGetProperty("LabelName", out var name) && name.GetString() == labelName) return node;
        if (node.TryGetProperty("Subcategory", out var children))
            foreach (var child in children.EnumerateArray())
                if (FindInHierarchy(child, labelName) is JsonElement found) return found;
        return null;
    }

    /// <summary>The node's LabelName, then its descendants', depth first.</summary>
    static IEnumerable<string> Descendants(JsonElement node)
    {
        yield return node.GetProperty("LabelName").GetString()!;
        if (node.TryGetProperty("Subcategory", out var children))
            foreach (var child in children.EnumerateArray())
                foreach (var name in Descendants(child))
                    yield return name;
    }

    // ---- Generator ----

    /// <inheritdoc/>
    public override int size() => image_ids.Count;

    /// <inheritdoc/>
    public override int num_classes() => id_to_labels.Count;

    /// <inheritdoc/>
    public override bool has_label(int label) => id_to_labels.ContainsKey(label);

    /// <inheritdoc/>
    public override bool has_name(string name) => id_to_labels.ContainsValue(name);

    /// <inheritdoc/>
    public override int name_to_label(string name) => id_to_labels.First(l => l.Value == name).Key;

    /// <inheritdoc/>
    public override string label_to_name(int label) => id_to_labels[label];

    /// <summary>Width / height from the annotations (no image is opened).</summary>
    public override double image_aspect_ratio(int image_index)
    {
        var entry = annotations[image_ids[image_index]];
        return (double)entry.w / entry.h;
    }

    /// <inheritdoc/>
    public override string image_path(int image_index) => Path.Combine(base_dir, image_ids[image_index] + ".jpg");

    /// <inheritdoc/>
    public override Annotations load_annotations(int image_index)
    {
        var entry = annotations[image_ids[image_index]];
        var bboxes = new double[entry.boxes.Count, 4];
        var labels = new int[entry.boxes.Count];
        for (int i = 0; i < entry.boxes.Count; i++)
        {
            var b = entry.boxes[i];
            (bboxes[i, 0], bboxes[i, 1], bboxes[i, 2], bboxes[i, 3]) = (b.x1 * entry.w, b.y1 * entry.h, b.x2 * entry.w, b.y2 * entry.h);
            labels[i] = b.cls_id;
        }
        return new Annotations(bboxes, labels);
    }
}
