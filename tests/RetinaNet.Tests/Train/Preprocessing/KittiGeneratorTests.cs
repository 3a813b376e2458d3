using RetinaNet.Train.Preprocessing;

namespace RetinaNet.Tests.Train.Preprocessing;

public class KittiGeneratorTests
{
    const string Line = "0.00 0 -1.57 {0} 1.50 1.60 3.70 -3.00 1.50 20.00 -1.57";

    static string Row(string type, string box) => type + " " + string.Format(Line, box);

    static TestData Dataset(params (string name, string[] lines)[] files)
    {
        var data = new TestData();
        foreach (var (name, lines) in files)
        {
            data.WriteText($"kitti/train/labels/{name}.txt", string.Join("\n", lines) + "\n");
            data.WriteImage($"kitti/train/images/{name}.png", 8, 6, (_, _) => (1, 2, 3));
        }
        return data;
    }

    [Test]
    public void LabelFiles_SortedByName_BoxesAndKittiClassTable()
    {
        using var data = Dataset(
            ("000002", new[] { Row("Pedestrian", "1.5 2 30.25 40") }),
            ("000001", new[] { Row("Car", "10 20 110 120"), "", Row("DontCare", "0 0 5 5"), Row("Misc", "1 1 2 2") }));
        var generator = new KittiGenerator(data.PathOf("kitti"), "train");

        Assert.That(generator.size(), Is.EqualTo(2));
        Assert.That(generator.image_path(0), Is.EqualTo(data.PathOf("kitti/train/images/000001.png")));
        var first = generator.load_annotations(0);
        Assert.That(first.labels, Is.EqualTo(new[] { 0, 7, 7 }));
        Assert.That(first.box(0), Is.EqualTo((10.0, 20.0, 110.0, 120.0)));
        Assert.That(generator.load_annotations(1).box(0), Is.EqualTo((1.5, 2.0, 30.25, 40.0)));
        Assert.That(generator.load_annotations(1).labels, Is.EqualTo(new[] { 3 }));

        // Eight classes; label 7 is named DontCare (Misc shares it), as keras-retinanet's dict gives.
        Assert.That(generator.num_classes(), Is.EqualTo(8));
        Assert.That(Enumerable.Range(0, 8).Select(generator.label_to_name),
            Is.EqualTo(new[] { "Car", "Van", "Truck", "Pedestrian", "Person_sitting", "Cyclist", "Tram", "DontCare" }));
        Assert.That(generator.has_name("Misc") && generator.name_to_label("Misc") == 7, Is.True);
        Assert.That(generator.image_aspect_ratio(0), Is.EqualTo(8.0 / 6));
    }

    [TestCase("Bicycle 0.00 0 -1.57 1 2 3 4 1.5 1.6 3.7 -3 1.5 20 -1.57", "line 2: unknown type 'Bicycle'")]
    [TestCase("Car 0.00 0 -1.57 1 2", "line 2: expected 15 space-separated fields")]
    [TestCase("Car 0.00 0 -1.57 1 two 3 4 1.5 1.6 3.7 -3 1.5 20 -1.57", "line 2: malformed top: could not convert string to float: 'two'")]
    public void BadLine_IsADatasetErrorNamingFileAndLine(string bad, string expected)
    {
        using var data = Dataset(("000001", new[] { Row("Car", "1 2 3 4"), bad }));
        var e = Assert.Throws<DatasetException>(() => new KittiGenerator(data.PathOf("kitti"), "train"))!;
        Assert.That(e.Message, Does.Contain(data.PathOf("kitti/train/labels/000001.txt")).And.Contain(expected));
        Assert.That(e.line, Is.EqualTo(2));
    }

    [Test]
    public void MissingImageOrLabelFolder_IsADatasetError()
    {
        using var data = Dataset(("000001", new[] { Row("Car", "1 2 3 4") }));
        File.Delete(data.PathOf("kitti/train/images/000001.png"));
        var e = Assert.Throws<DatasetException>(() => new KittiGenerator(data.PathOf("kitti"), "train"))!;
        Assert.That(e.Message, Does.Contain("image not found").And.Contain("000001.png"));

        var missing = Assert.Throws<DatasetException>(() => new KittiGenerator(data.PathOf("kitti"), "val"))!;
        Assert.That(missing.Message, Does.Contain("label folder not found").And.Contain(Path.Combine("kitti", "val", "labels")));
    }
}
