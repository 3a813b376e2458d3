using System.Text.Json;
using RetinaNet.Train.Evaluation;

namespace RetinaNet.Train.Preprocessing;

/// <summary>
/// keras-retinanet's COCO dataset (<c>preprocessing/coco.py</c>), read from
/// <c>data_dir/annotations/instances_&lt;set&gt;.json</c> without pycocotools: categories sorted by id become the
/// contiguous labels 0..C-1 (<see cref="coco_label_to_label"/> / <see cref="label_to_coco_label"/> map between them),
/// crowd annotations and boxes narrower or lower than 1 pixel are skipped for training, <c>bbox [x, y, w, h]</c>
/// becomes <c>[x, y, x + w, y + h]</c>, and images are <c>data_dir/images/&lt;set&gt;/&lt;file_name&gt;</c>.
/// The COCO evaluation reads every annotation instead, as pycocotools does (<see cref="ground_truth"/>).
/// </summary>
public sealed class CocoGenerator : Generator
{
    private sealed record ImageInfo(long id, string file_name, double width, double height);
    private sealed record Annotation(long category_id, double[] bbox, bool crowd, double? area);

    private readonly List<ImageInfo> images = new();
    private readonly Dictionary<long, List<Annotation>> image_annotations = new();
    private readonly List<CocoAnnotation> all_annotations = new();
    private readonly OrderedDictionary<string, int> classes = new();
    private readonly Dictionary<int, string> labels = new();
    private readonly Dictionary<int, long> coco_labels = new();
    private readonly Dictionary<long, int> coco_labels_inverse = new();

    /// <summary>Reads the annotation file of <paramref name="set_name"/>.</summary>
    /// <exception cref="DatasetException">The file is missing, not JSON, or lacks required fields.</exception>
    public CocoGenerator(string data_dir, string set_name, GeneratorOptions? options = null) : base(options)
    {
        this.data_dir = data_dir;
        this.set_name = set_name;
        annotations_file = Path.Combine(data_dir, "annotations", "instances_" + set_name + ".json");
        try
        {
            using var stream = File.OpenRead(annotations_file);
            using var document = JsonDocument.Parse(stream);
            Load(document.RootElement);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or FormatException
                                       or InvalidOperationException)
        {
            throw new DatasetException($"invalid COCO annotations file: {annotations_file}: {e.Message}", annotations_file, null, e);
        }
        image_ids = images.Select(i => i.id).ToArray();
    }

    /// <summary>The COCO folder.</summary>
    public string data_dir { get; }

    /// <summary>The set, e.g. 'train2017'.</summary>
    public string set_name { get; }

    /// <summary>The annotation file read.</summary>
    public string annotations_file { get; }

    /// <summary>COCO image id of each image index (file order).</summary>
    public IReadOnlyList<long> image_ids { get; }

    /// <inheritdoc/>
    public override int size() => images.Count;

    /// <summary>
    /// Every annotation of the file in file order, crowd regions and boxes under 1 pixel included, with its
    /// <c>area</c> field: the ground truth pycocotools' <c>COCOeval</c> compares against.
    /// </summary>
    public IReadOnlyList<CocoAnnotation> ground_truth => all_annotations;

    /// <summary>The COCO category ids, ascending (pycocotools' <c>getCatIds()</c>).</summary>
    public IReadOnlyList<long> category_ids => coco_labels.Values.ToList();

    /// <summary>Number of categories (80 for COCO).</summary>
    public override int num_classes() => classes.Count;

    /// <inheritdoc/>
    public override bool has_label(int label) => labels.ContainsKey(label);

    /// <inheritdoc/>
    public override bool has_name(string name) => classes.ContainsKey(name);

    /// <inheritdoc/>
    public override int name_to_label(string name) => classes[name];

    /// <inheritdoc/>
    public override string label_to_name(int label) => labels[label];

    /// <summary>Label of a COCO category id (COCO ids have gaps: 80 classes, ids up to 90).</summary>
    public int coco_label_to_label(long coco_label) => coco_labels_inverse[coco_label];

    /// <summary>Class name of a COCO category id.</summary>
    public string coco_label_to_name(long coco_label) => label_to_name(coco_label_to_label(coco_label));

    /// <summary>COCO category id of a label.</summary>
    public long label_to_coco_label(int label) => coco_labels[label];

    /// <inheritdoc/>
    public override string image_path(int image_index) =>
        Path.Combine(data_dir, "images", set_name, images[image_index].file_name);

    /// <summary>Width / height from the annotation file (no image is opened).</summary>
    public override double image_aspect_ratio(int image_index) => images[image_index].width / images[image_index].height;

    /// <inheritdoc/>
    public override Annotations load_annotations(int image_index)
    {
        var kept = image_annotations.TryGetValue(images[image_index].id, out var all)
            ? all.Where(a => !a.crowd && a.bbox[2] >= 1 && a.bbox[3] >= 1).ToList()
            : new List<Annotation>();
        var bboxes = new double[kept.Count, 4];
        var ids = new int[kept.Count];
        for (int i = 0; i < kept.Count; i++)
        {
            var (x, y, w, h) = (kept[i].bbox[0], kept[i].bbox[1], kept[i].bbox[2], kept[i].bbox[3]);
            (bboxes[i, 0], bboxes[i, 1], bboxes[i, 2], bboxes[i, 3]) = (x, y, x + w, y + h);
            ids[i] = coco_label_to_label(kept[i].category_id);
        }
        return new Annotations(bboxes, ids);
    }

    private void Load(JsonElement root)
    {
        var categories = Array(root, "categories")
            .Select(c => (id: Required(c, "id").GetInt64(), name: Required(c, "name").GetString() ?? ""))
            .OrderBy(c => c.id)
            .ToList();
        foreach (var (id, name) in categories)
        {
            int label = coco_labels.Count;
            coco_labels[label] = id;
            coco_labels_inverse[id] = label;
            classes[name] = label;
            labels[label] = name;
        }

        // pycocotools keys images by id: a repeated id keeps its first position.
        var positions = new Dictionary<long, int>();
        foreach (var image in Array(root, "images"))
        {
            var info = new ImageInfo(
                Required(image, "id").GetInt64(),
                Required(image, "file_name").GetString() ?? "",
                Required(image, "width").GetDouble(),
                Required(image, "height").GetDouble());
            if (positions.TryGetValue(info.id, out int at)) images[at] = info;
            else { positions[info.id] = images.Count; images.Add(info); }
        }

        if (!root.TryGetProperty("annotations", out var annotations)) return; // a test set without ground truth
        foreach (var annotation in annotations.EnumerateArray())
        {
            bool crowd = annotation.TryGetProperty("iscrowd", out var iscrowd) &&
                         (iscrowd.ValueKind == JsonValueKind.True || iscrowd.ValueKind == JsonValueKind.Number && iscrowd.GetDouble() != 0);
            long category = Required(annotation, "category_id").GetInt64();
            if (!coco_labels_inverse.ContainsKey(category) && crowd) continue; // never trained on nor evaluated
            if (!coco_labels_inverse.ContainsKey(category))
                throw new FormatException($"annotation {Describe(annotation)} has unknown category_id {category}");
            var bbox = Required(annotation, "bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            if (bbox.Length != 4) throw new FormatException($"annotation {Describe(annotation)} has a bbox of {bbox.Length} values instead of 4");
            double? area = annotation.TryGetProperty("area", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetDouble() : null;
            long imageId = Required(annotation, "image_id").GetInt64();
            if (!image_annotations.TryGetValue(imageId, out var list)) image_annotations[imageId] = list = new List<Annotation>();
            list.Add(new Annotation(category, bbox, crowd, area));
            all_annotations.Add(new CocoAnnotation(imageId, (int)category, new CocoBox(bbox[0], bbox[1], bbox[2], bbox[3]), area, crowd));
        }
    }

    private static IEnumerable<JsonElement> Array(JsonElement root, string name) =>
        root.TryGetProperty(name, out var array) ? array.EnumerateArray() : throw new FormatException($"missing '{name}'");

    private static JsonElement Required(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value : throw new FormatException($"missing '{name}' in {Abbreviate(element)}");

    private static string Abbreviate(JsonElement element)
    {
        var text = element.GetRawText();
        return text.Length <= 80 ? text : text[..77] + "...";
    }

    private static string Describe(JsonElement annotation) =>
        annotation.TryGetProperty("id", out var id) ? id.GetRawText() : "without id";
}
