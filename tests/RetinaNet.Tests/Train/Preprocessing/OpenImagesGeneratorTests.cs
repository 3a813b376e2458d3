using System.Text.Json.Nodes;
using RetinaNet.Train.Preprocessing;

namespace RetinaNet.Tests.Train.Preprocessing;

public class OpenImagesGeneratorTests
{
    const string Header = "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,IsDepiction,IsInside";

    /// <summary>
    /// A v4 folder: classes Animal (/m/a), Dog (/m/d, child of Animal), Cat (/m/c, child of Animal), Car (/m/car);
    /// images img1 (200×100) and img2 (50×40) in images/&lt;subset&gt;.
    /// </summary>
    static TestData Dataset(string subset, params string[] rows)
    {
        var data = new TestData();
        data.WriteText("oid/2018_04/class-descriptions-boxable.csv", "/m/a,Animal\n/m/d,\"Dog's\"\n/m/c,Cat\n/m/car,Car\n");
        var hierarchy = new JsonObject
        {
            ["LabelName"] = "/m/0bl9f",
            ["Subcategory"] = new JsonArray(
                new JsonObject { ["LabelName"] = "/m/a", ["Subcategory"] = new JsonArray(new JsonObject { ["LabelName"] = "/m/d" }, new JsonObject { ["LabelName"] = "/m/c" }) },
                new JsonObject { ["LabelName"] = "/m/car" }),
        };
        data.WriteText("oid/2018_04/bbox_labels_600_hierarchy.json", hierarchy.ToJsonString());
        data.WriteText($"oid/2018_04/{subset}/{subset}-annotations-bbox.csv", string.Join("\n", rows.Prepend(Header)) + "\n");
        data.WriteImage($"oid/images/{subset}/img1.jpg", 200, 100, (_, _) => (1, 2, 3));
        data.WriteImage($"oid/images/{subset}/img2.jpg", 50, 40, (_, _) => (1, 2, 3));
        return data;
    }

    static string Row(string image, string label, double x1, double x2, double y1, double y2) =>
        FormattableString.Invariant($"{image},xclick,{label},1,{x1},{x2},{y1},{y2},0,0,0,0,0");

    [Test]
    public void V4_ClassesInFileOrder_RelativeBoxesTimesImageSize_OtherClassesAndMissingImagesSkipped()
    {
        using var data = Dataset("train",
            Row("img1", "/m/d", 0.1, 0.5, 0.2, 0.6),
            Row("img2", "/m/car", 0, 1, 0, 0.5),
            Row("img1", "/m/unknown", 0.1, 0.5, 0.2, 0.6),
            Row("missing", "/m/c", 0.1, 0.5, 0.2, 0.6),
            Row("img1", "/m/c", 0.5, 0.75, 0.5, 1));
        var generator = new OpenImagesGenerator(data.PathOf("oid"), "train", annotation_cache_dir: data.Folder);

        Assert.That(generator.num_classes(), Is.EqualTo(4));
        Assert.That(Enumerable.Range(0, 4).Select(generator.label_to_name), Is.EqualTo(new[] { "Animal", "Dogs", "Cat", "Car" }));
        Assert.That(generator.size(), Is.EqualTo(2));
        Assert.That(generator.image_path(0), Is.EqualTo(Path.Combine(data.PathOf("oid"), "images", "train", "img1.jpg")));
        Assert.That(generator.image_aspect_ratio(0), Is.EqualTo(2.0));
        var img1 = generator.load_annotations(0);
        Assert.That(img1.labels, Is.EqualTo(new[] { 1, 2 }));
        Assert.That(img1.box(0).x1, Is.EqualTo(20).Within(1e-9));
        Assert.That(img1.box(0).y1, Is.EqualTo(20).Within(1e-9));
        Assert.That(img1.box(0).x2, Is.EqualTo(100).Within(1e-9));
        Assert.That(img1.box(0).y2, Is.EqualTo(60).Within(1e-9));
        Assert.That(generator.load_annotations(1).box(0), Is.EqualTo((0.0, 0.0, 50.0, 20.0)));
        Assert.That(File.Exists(Path.Combine(data.Folder, "train.json")), Is.True);
    }

    [Test]
    public void Cache_IsKerasRetinaNetsJson_AndIsReadInsteadOfTheCsv()
    {
        using var data = Dataset("train", Row("img1", "/m/d", 0.1, 0.5, 0.2, 0.6));
        _ = new OpenImagesGenerator(data.PathOf("oid"), "train", annotation_cache_dir: data.Folder);
        var cache = JsonNode.Parse(File.ReadAllText(Path.Combine(data.Folder, "train.json")))!;
        Assert.That(cache["img1"]!["w"]!.GetValue<int>(), Is.EqualTo(200));
        Assert.That(cache["img1"]!["h"]!.GetValue<int>(), Is.EqualTo(100));
        Assert.That(cache["img1"]!["boxes"]![0]!["cls_id"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(cache["img1"]!["boxes"]![0]!["x2"]!.GetValue<double>(), Is.EqualTo(0.5));

        // A cache (as keras-retinanet's json.dump writes it) wins over the CSV, which is not read again.
        File.WriteAllText(Path.Combine(data.Folder, "train.json"),
            """{"other": {"w": 10, "h": 20, "boxes": [{"cls_id": 3, "x1": 0.5, "x2": 1.0, "y1": 0.25, "y2": 0.5}]}}""");
        File.Delete(data.PathOf("oid/2018_04/train/train-annotations-bbox.csv"));
        var cached = new OpenImagesGenerator(data.PathOf("oid"), "train", annotation_cache_dir: data.Folder);
        Assert.That(cached.size(), Is.EqualTo(1));
        Assert.That(cached.image_path(0), Does.EndWith("other.jpg"));
        Assert.That(cached.load_annotations(0).box(0), Is.EqualTo((5.0, 5.0, 10.0, 10.0)));
        Assert.That(cached.load_annotations(0).labels, Is.EqualTo(new[] { 3 }));

        File.WriteAllText(Path.Combine(data.Folder, "train.json"), """{"other": {"w": 10, "h": 20, "boxes": [{"cls_id": 9}]}}""");
        var e = Assert.Throws<DatasetException>(() => new OpenImagesGenerator(data.PathOf("oid"), "train", annotation_cache_dir: data.Folder))!;
        Assert.That(e.Message, Does.Contain("invalid Open Images annotation cache").And.Contain("train.json"));
    }

    [Test]
    public void LabelsFilter_KeepsNamedClassesInFilterOrder_AndDropsEmptyImages()
    {
        using var data = Dataset("train",
            Row("img1", "/m/d", 0.1, 0.5, 0.2, 0.6),
            Row("img2", "/m/car", 0, 1, 0, 0.5),
            Row("img1", "/m/c", 0.5, 0.75, 0.5, 1));
        var generator = new OpenImagesGenerator(data.PathOf("oid"), "train", labels_filter: new[] { "Cat", "Nope", "Animal" },
            annotation_cache_dir: data.Folder);

        Assert.That(generator.num_classes(), Is.EqualTo(2));
        Assert.That(new[] { generator.label_to_name(0), generator.label_to_name(1) }, Is.EqualTo(new[] { "Cat", "Animal" }));
        Assert.That(generator.size(), Is.EqualTo(1), "img2 has only a Car");
        Assert.That(generator.load_annotations(0).labels, Is.EqualTo(new[] { 0 }));
    }

    [Test]
    public void ParentLabel_KeepsTheClassAndItsHierarchyDescendants()
    {
        using var data = Dataset("train",
            Row("img1", "/m/d", 0.1, 0.5, 0.2, 0.6),
            Row("img2", "/m/car", 0, 1, 0, 0.5),
            Row("img1", "/m/c", 0.5, 0.75, 0.5, 1));
        var generator = new OpenImagesGenerator(data.PathOf("oid"), "train", annotation_cache_dir: data.Folder, parent_label: "Animal");

        Assert.That(Enumerable.Range(0, generator.num_classes()).Select(generator.label_to_name), Is.EqualTo(new[] { "Animal", "Dogs", "Cat" }));
        Assert.That(generator.size(), Is.EqualTo(1));
        Assert.That(generator.load_annotations(0).labels, Is.EqualTo(new[] { 1, 2 }));

        var e = Assert.Throws<ArgumentException>(() =>
            new OpenImagesGenerator(data.PathOf("oid"), "train", annotation_cache_dir: data.Folder, parent_label: "Plant"))!;
        Assert.That(e.Message, Is.EqualTo("Couldnt find label Plant"));
    }

    [TestCase(0.5, 0.4, 0.1, 0.2, "line 2: x2 (0.4) must be higher than x1 (0.5)")]
    [TestCase(0.1, 0.2, 0.6, 0.6, "line 2: y2 (0.6) must be higher than y1 (0.6)")]
    public void InvertedBox_IsADatasetErrorNamingFileAndLine(double x1, double x2, double y1, double y2, string expected)
    {
        using var data = Dataset("validation", Row("img1", "/m/d", x1, x2, y1, y2));
        var e = Assert.Throws<DatasetException>(() => new OpenImagesGenerator(data.PathOf("oid"), "validation", annotation_cache_dir: data.Folder))!;
        Assert.That(e.Message, Does.Contain(data.PathOf("oid/2018_04/validation/validation-annotations-bbox.csv")).And.Contain(expected));
        Assert.That(File.Exists(Path.Combine(data.Folder, "validation.json")), Is.False, "no cache of a bad file");
    }

    [Test]
    public void BoxRoundingToZeroPixels_IsDroppedWithAWarning()
    {
        using var data = Dataset("train", Row("img2", "/m/d", 0.1, 0.105, 0.2, 0.6), Row("img2", "/m/c", 0.1, 0.5, 0.2, 0.6));
        var warnings = new List<string>();
        var generator = new OpenImagesGenerator(data.PathOf("oid"), "train", annotation_cache_dir: data.Folder,
            options: new GeneratorOptions { warning_sink = warnings.Add });
        Assert.That(generator.load_annotations(0).labels, Is.EqualTo(new[] { 2 }));
        Assert.That(warnings, Has.One.Contains("filtering line 2: rounding x2 (0.105) and x1 (0.1) makes them equal"));
    }

    [Test]
    public void Challenge2018_SplitsTrainImagesByTheValidationIdList()
    {
        var data = new TestData();
        using var _ = data;
        data.WriteText("oid/challenge2018/challenge-2018-class-descriptions-500.csv", "/m/d,Dog\n/m/c,Cat\n");
        data.WriteText("oid/challenge2018/bbox_labels_500_hierarchy.json", """{"LabelName": "/m/0bl9f"}""");
        data.WriteText("oid/challenge2018/challenge-2018-image-ids-valset-od.csv", "ImageID\nimg2\n");
        data.WriteText("oid/challenge2018/challenge-2018-train-annotations-bbox.csv",
            string.Join("\n", Header, Row("img1", "/m/d", 0.1, 0.5, 0.2, 0.6), Row("img2", "/m/c", 0.1, 0.5, 0.2, 0.6)));
        data.WriteImage("oid/images/train/img1.jpg", 20, 10, (_, _) => (1, 2, 3));
        data.WriteImage("oid/images/train/img2.jpg", 20, 10, (_, _) => (1, 2, 3));

        var train = new OpenImagesGenerator(data.PathOf("oid"), "train", "challenge2018", annotation_cache_dir: data.Folder);
        var validation = new OpenImagesGenerator(data.PathOf("oid"), "validation", "challenge2018", annotation_cache_dir: data.Folder);
        Assert.That(train.image_path(0), Does.EndWith(Path.Combine("images", "train", "img1.jpg")));
        Assert.That(validation.image_path(0), Does.EndWith(Path.Combine("images", "train", "img2.jpg")));
        Assert.That((train.size(), validation.size()), Is.EqualTo((1, 1)));
        Assert.That(validation.load_annotations(0).labels, Is.EqualTo(new[] { 1 }));

        Assert.Throws<NotSupportedException>(() => new OpenImagesGenerator(data.PathOf("oid"), "test", "challenge2018", annotation_cache_dir: data.Folder));
        var e = Assert.Throws<NotSupportedException>(() => new OpenImagesGenerator(data.PathOf("oid"), "train", "v2"))!;
        Assert.That(e.Message, Does.StartWith("There is currently no implementation for versions older than v3"));
    }

    [Test]
    public void MissingMetadata_IsADatasetErrorNamingTheFile()
    {
        using var data = Dataset("train", Row("img1", "/m/d", 0.1, 0.5, 0.2, 0.6));
        File.Delete(data.PathOf("oid/2018_04/class-descriptions-boxable.csv"));
        var e = Assert.Throws<DatasetException>(() => new OpenImagesGenerator(data.PathOf("oid"), "train", annotation_cache_dir: data.Folder))!;
        Assert.That(e.Message, Does.Contain("class-descriptions-boxable.csv"));
    }
}
