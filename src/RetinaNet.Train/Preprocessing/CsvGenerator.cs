namespace RetinaNet.Train.Preprocessing;

/// <summary>
/// keras-retinanet's CSV dataset (<c>preprocessing/csv_generator.py</c>).
/// <list type="bullet">
/// <item>Classes file: one <c>class_name,class_id</c> per line, ids from 0, no background class.</item>
/// <item>Annotations file: one <c>path,x1,y1,x2,y2,class_name</c> per box with integer pixel coordinates (0-based),
/// or <c>path,,,,,</c> for an image without objects; only the first six columns are read, images keep the order of
/// their first row, and relative paths are resolved against <c>base_dir</c> (default: the annotations file's folder).</item>
/// </list>
/// Errors are <see cref="DatasetException"/>s with keras-retinanet's messages, e.g.
/// <c>invalid CSV annotations file: ann.csv: line 1: malformed x1: invalid literal for int() with base 10: '210.0'</c>.
/// </summary>
public sealed class CsvGenerator : Generator
{
    private readonly OrderedDictionary<string, int> classes;
    private readonly Dictionary<int, string> labels = new();
    private readonly OrderedDictionary<string, List<Box>> image_data;

    private readonly record struct Box(long x1, long y1, long x2, long y2, string class_name);

    /// <summary>Reads and checks both files.</summary>
    /// <param name="csv_data_file">The annotations file.</param>
    /// <param name="csv_class_file">The classes file.</param>
    /// <param name="base_dir">Folder relative image paths are resolved against (default: the folder of <paramref name="csv_data_file"/>).</param>
    /// <param name="options">Batching and augmentation settings.</param>
    /// <exception cref="DatasetException">A file is missing or malformed.</exception>
    public CsvGenerator(string csv_data_file, string csv_class_file, string? base_dir = null, GeneratorOptions? options = null)
        : base(options)
    {
        this.base_dir = base_dir ?? Path.GetDirectoryName(csv_data_file) ?? "";
        classes = Read(csv_class_file, "invalid CSV class file", ReadClasses);
        foreach (var (name, id) in classes) labels[id] = name;
        image_data = Read(csv_data_file, "invalid CSV annotations file", ReadAnnotations);
        image_names = image_data.Keys.ToArray();
    }

    /// <summary>Folder relative image paths are resolved against.</summary>
    public string base_dir { get; }

    /// <summary>Image names as written in the annotations file, in first-appearance order.</summary>
    public IReadOnlyList<string> image_names { get; }

    /// <summary>Class name → label, in file order.</summary>
    public IReadOnlyDictionary<string, int> class_ids => classes;

    /// <inheritdoc/>
    public override int size() => image_names.Count;

    /// <summary>The largest class id + 1 (ids need not be contiguous).</summary>
    public override int num_classes() => classes.Count == 0 ? 0 : classes.Values.Max() + 1;

    /// <inheritdoc/>
    public override bool has_label(int label) => labels.ContainsKey(label);

    /// <inheritdoc/>
    public override bool has_name(string name) => classes.ContainsKey(name);

    /// <inheritdoc/>
    public override int name_to_label(string name) => classes[name];

    /// <inheritdoc/>
    public override string label_to_name(int label) => labels[label];

    /// <summary><c>base_dir</c> joined with the image name (an absolute name is used as is).</summary>
    public override string image_path(int image_index) => Path.Combine(base_dir, image_names[image_index]);

    /// <inheritdoc/>
    public override Annotations load_annotations(int image_index)
    {
        var boxes = image_data[image_names[image_index]];
        var bboxes = new double[boxes.Count, 4];
        var ids = new int[boxes.Count];
        for (int i = 0; i < boxes.Count; i++)
        {
            var b = boxes[i];
            (bboxes[i, 0], bboxes[i, 1], bboxes[i, 2], bboxes[i, 3]) = (b.x1, b.y1, b.x2, b.y2);
            ids[i] = name_to_label(b.class_name);
        }
        return new Annotations(bboxes, ids);
    }

    private static T Read<T>(string path, string what, Func<List<List<string>>, T> parse)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"{what}: {path}: {e.Message}", path, null, e);
        }
        try { return parse(CsvRecords.Parse(text)); }
        catch (LineException e) { throw new DatasetException($"{what}: {path}: {e.Message}", path, e.line); }
    }

    /// <summary>Reads a classes file (<c>class_name,class_id</c> per line) with the same checks and messages.</summary>
    public static IReadOnlyDictionary<string, int> read_classes(string csv_class_file) =>
        Read(csv_class_file, "invalid CSV class file", ReadClasses);

    private static OrderedDictionary<string, int> ReadClasses(List<List<string>> rows)
    {
        var result = new OrderedDictionary<string, int>();
        for (int line = 1; line <= rows.Count; line++)
        {
            var row = rows[line - 1];
            if (row.Count != 2) throw new LineException(line, "format should be 'class_name,class_id'");
            var (name, idText) = (row[0], row[1]);
            long id = ParseInt(idText, line, "malformed class ID: {0}");
            if (id is < 0 or > int.MaxValue) throw new LineException(line, $"malformed class ID: {id} is out of range");
            if (result.ContainsKey(name)) throw new LineException(line, $"duplicate class name: '{name}'");
            result.Add(name, (int)id);
        }
        return result;
    }

    private OrderedDictionary<string, List<Box>> ReadAnnotations(List<List<string>> rows)
    {
        var result = new OrderedDictionary<string, List<Box>>();
        for (int line = 1; line <= rows.Count; line++)
        {
            var row = rows[line - 1];
            if (row.Count < 6) throw new LineException(line, "format should be 'img_file,x1,y1,x2,y2,class_name' or 'img_file,,,,,'");
            var (file, className) = (row[0], row[5]);
            if (!result.TryGetValue(file, out var boxes)) result.Add(file, boxes = new List<Box>());
            if (row.Take(6).Skip(1).All(string.IsNullOrEmpty)) continue; // an image without objects

            long x1 = ParseInt(row[1], line, "malformed x1: {0}");
            long y1 = ParseInt(row[2], line, "malformed y1: {0}");
            long x2 = ParseInt(row[3], line, "malformed x2: {0}");
            long y2 = ParseInt(row[4], line, "malformed y2: {0}");
            if (x2 <= x1) throw new LineException(line, $"x2 ({x2}) must be higher than x1 ({x1})");
            if (y2 <= y1) throw new LineException(line, $"y2 ({y2}) must be higher than y1 ({y1})");
            if (!classes.ContainsKey(className))
                throw new LineException(line, $"unknown class name: '{className}' (classes: {PythonLiterals.ReprDict(classes)})");
            boxes.Add(new Box(x1, y1, x2, y2, className));
        }
        return result;
    }

    private static long ParseInt(string text, int line, string format)
    {
        try { return PythonLiterals.ParseInt(text); }
        catch (FormatException e) { throw new LineException(line, string.Format(format, e.Message)); }
    }

    /// <summary>A problem on one record; the caller adds the file.</summary>
    private sealed class LineException(int line, string problem) : Exception($"line {line}: {problem}")
    {
        public int line { get; } = line;
    }
}
