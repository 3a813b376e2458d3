using System.Xml;
using System.Xml.Linq;

namespace RetinaNet.Train.Preprocessing;

/// <summary>
/// keras-retinanet's Pascal VOC dataset (<c>preprocessing/pascal_voc.py</c>): image ids from the first token of each
/// line of <c>ImageSets/Main/&lt;set&gt;.txt</c>, images <c>JPEGImages/&lt;id&gt;&lt;ext&gt;</c>, annotations
/// <c>Annotations/&lt;id&gt;.xml</c>. VOC boxes are 1-based inclusive pixel indices; 1 is subtracted from every
/// coordinate to get 0-based boxes, as keras-retinanet does.
/// </summary>
public sealed class PascalVocGenerator : Generator
{
    /// <summary>The 20 Pascal VOC classes and their labels.</summary>
    public static IReadOnlyDictionary<string, int> voc_classes { get; } = new OrderedDictionary<string, int>
    {
        ["aeroplane"] = 0, ["bicycle"] = 1, ["bird"] = 2, ["boat"] = 3, ["bottle"] = 4,
        ["bus"] = 5, ["car"] = 6, ["cat"] = 7, ["chair"] = 8, ["cow"] = 9,
        ["diningtable"] = 10, ["dog"] = 11, ["horse"] = 12, ["motorbike"] = 13, ["person"] = 14,
        ["pottedplant"] = 15, ["sheep"] = 16, ["sofa"] = 17, ["train"] = 18, ["tvmonitor"] = 19,
    };

    private readonly IReadOnlyDictionary<string, int> classes;
    private readonly Dictionary<int, string> labels = new();

    /// <summary>Reads the image list of <paramref name="set_name"/>.</summary>
    /// <param name="data_dir">The VOC folder (holding ImageSets, JPEGImages, Annotations).</param>
    /// <param name="set_name">'train', 'val', 'trainval' or 'test'.</param>
    /// <param name="classes">Class name → label (default <see cref="voc_classes"/>).</param>
    /// <param name="image_extension">Image file extension.</param>
    /// <param name="skip_truncated">Leave out objects marked truncated.</param>
    /// <param name="skip_difficult">Leave out objects marked difficult.</param>
    /// <param name="options">Batching and augmentation settings.</param>
    /// <exception cref="DatasetException">The image set file cannot be read.</exception>
    public PascalVocGenerator(string data_dir, string set_name, IReadOnlyDictionary<string, int>? classes = null,
        string image_extension = ".jpg", bool skip_truncated = false, bool skip_difficult = false, GeneratorOptions? options = null)
        : base(options)
    {
        this.data_dir = data_dir;
        this.set_name = set_name;
        this.classes = classes ?? voc_classes;
        this.image_extension = image_extension;
        this.skip_truncated = skip_truncated;
        this.skip_difficult = skip_difficult;
        foreach (var (name, label) in this.classes) labels[label] = name;

        var setFile = Path.Combine(data_dir, "ImageSets", "Main", set_name + ".txt");
        try
        {
            image_names = File.ReadAllLines(setFile)
                .Select(line => line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries))
                .Where(tokens => tokens.Length > 0)
                .Select(tokens => tokens[0])
                .ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"invalid image set file: {setFile}: {e.Message}", setFile, null, e);
        }
    }

    /// <summary>The VOC folder.</summary>
    public string data_dir { get; }

    /// <summary>The image set.</summary>
    public string set_name { get; }

    /// <summary>Image file extension.</summary>
    public string image_extension { get; }

    /// <summary>Whether truncated objects are left out.</summary>
    public bool skip_truncated { get; }

    /// <summary>Whether difficult objects are left out.</summary>
    public bool skip_difficult { get; }

    /// <summary>Image ids of the set.</summary>
    public IReadOnlyList<string> image_names { get; }

    /// <inheritdoc/>
    public override int size() => image_names.Count;

    /// <summary>The number of classes in the class map.</summary>
    public override int num_classes() => classes.Count;

    /// <inheritdoc/>
    public override bool has_label(int label) => labels.ContainsKey(label);

    /// <inheritdoc/>
    public override bool has_name(string name) => classes.ContainsKey(name);

    /// <inheritdoc/>
    public override int name_to_label(string name) => classes[name];

    /// <inheritdoc/>
    public override string label_to_name(int label) => labels[label];

    /// <inheritdoc/>
    public override string image_path(int image_index) =>
        Path.Combine(data_dir, "JPEGImages", image_names[image_index] + image_extension);

    /// <summary>
    /// The objects of <c>Annotations/&lt;id&gt;.xml</c>. Each needs <c>truncated</c>, <c>difficult</c> (integers),
    /// <c>name</c> and <c>bndbox</c> with xmin/ymin/xmax/ymax; skipped objects are removed (keras-retinanet leaves
    /// uninitialised rows in their place).
    /// </summary>
    /// <exception cref="DatasetException">The file is missing or malformed; the message names it and the object.</exception>
    public override Annotations load_annotations(int image_index)
    {
        var path = Path.Combine(data_dir, "Annotations", image_names[image_index] + ".xml");
        XElement root;
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore };
            using var reader = XmlReader.Create(path, settings);
            root = XDocument.Load(reader).Root ?? throw new XmlException("no root element");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or XmlException)
        {
            throw new DatasetException($"invalid annotations file: {path}: {e.Message}", path, null, e);
        }

        var boxes = new List<double[]>();
        var ids = new List<int>();
        int index = 0;
        foreach (var element in root.Descendants("object"))
        {
            (bool truncated, bool difficult, double[] box, int label) parsed;
            try { parsed = ParseObject(element); }
            catch (FormatException e)
            {
                throw new DatasetException($"invalid annotations file: {path}: could not parse object #{index}: {e.Message}", path, null, e);
            }
            index++;
            if (parsed.truncated && skip_truncated) continue;
            if (parsed.difficult && skip_difficult) continue;
            boxes.Add(parsed.box);
            ids.Add(parsed.label);
        }

        var bboxes = new double[boxes.Count, 4];
        for (int i = 0; i < boxes.Count; i++)
        for (int c = 0; c < 4; c++)
            bboxes[i, c] = boxes[i][c];
        return new Annotations(bboxes, ids.ToArray());
    }

    private (bool truncated, bool difficult, double[] box, int label) ParseObject(XElement element)
    {
        bool truncated = ParseChild(element, "truncated", "truncated", PythonLiterals.ParseInt) != 0;
        bool difficult = ParseChild(element, "difficult", "difficult", PythonLiterals.ParseInt) != 0;
        var name = Child(element, "name", "name").Value;
        if (!classes.ContainsKey(name))
            throw new FormatException($"class name '{name}' not found in classes: {PythonLiterals.ReprList(classes.Keys)}");
        var bndbox = Child(element, "bndbox", "bndbox");
        // VOC pixel indices start at 1.
        var box = new[] { "xmin", "ymin", "xmax", "ymax" }
            .Select(tag => ParseChild(bndbox, tag, "bndbox." + tag, PythonLiterals.ParseFloat) - 1)
            .ToArray();
        return (truncated, difficult, box, classes[name]);
    }

    private static XElement Child(XElement parent, string name, string debugName) =>
        parent.Element(name) ?? throw new FormatException($"missing element '{debugName}'");

    private static T ParseChild<T>(XElement parent, string name, string debugName, Func<string, T> parse)
    {
        var text = Child(parent, name, debugName).Value;
        try { return parse(text); }
        catch (FormatException e) { throw new FormatException($"illegal value for '{debugName}': {e.Message}"); }
    }
}
