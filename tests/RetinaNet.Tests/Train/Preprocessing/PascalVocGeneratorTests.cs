using RetinaNet.Train.Preprocessing;

namespace RetinaNet.Tests.Train.Preprocessing;

public class PascalVocGeneratorTests
{
    private static string Object(string name, int truncated, int difficult, string xmin, int ymin, int xmax, int ymax) =>
        $"<object><name>{name}</name><pose>Left</pose><truncated>{truncated}</truncated><difficult>{difficult}</difficult>" +
        $"<bndbox><xmin>{xmin}</xmin><ymin>{ymin}</ymin><xmax>{xmax}</xmax><ymax>{ymax}</ymax></bndbox></object>";

    private static TestData Dataset(params string[] objectsPerImage)
    {
        var data = new TestData();
        var ids = objectsPerImage.Select((_, i) => $"00000{i + 1}").ToArray();
        data.WriteText("VOC/ImageSets/Main/trainval.txt", string.Join("\n", ids.Select((id, i) => i == 0 ? id + " 1" : id)) + "\n\n");
        for (int i = 0; i < ids.Length; i++)
            data.WriteText($"VOC/Annotations/{ids[i]}.xml", $"<annotation><filename>{ids[i]}.jpg</filename>{objectsPerImage[i]}</annotation>");
        return data;
    }

    [Test]
    public void Boxes_AreConvertedFromOneBased_AndClassesAreTheVocTwenty()
    {
        using var data = Dataset(Object("dog", 0, 0, "48", 240, 195, 371) + Object("person", 1, 0, "8.5", 12, 352, 498));
        var generator = new PascalVocGenerator(data.PathOf("VOC"), "trainval");

        Assert.That(generator.size(), Is.EqualTo(1));
        Assert.That(generator.image_names, Is.EqualTo(new[] { "000001" }));
        Assert.That(generator.num_classes(), Is.EqualTo(20));
        Assert.That(generator.name_to_label("person"), Is.EqualTo(14));
        Assert.That(generator.label_to_name(19), Is.EqualTo("tvmonitor"));
        Assert.That(generator.image_path(0), Is.EqualTo(Path.Combine(data.PathOf("VOC"), "JPEGImages", "000001.jpg")));

        var annotations = generator.load_annotations(0);
        Assert.That(annotations.labels, Is.EqualTo(new[] { 11, 14 }));
        Assert.That(annotations.box(0), Is.EqualTo((47.0, 239.0, 194.0, 370.0)));
        Assert.That(annotations.box(1), Is.EqualTo((7.5, 11.0, 351.0, 497.0)));
    }

    [Test]
    public void SkipDifficultAndTruncated_RemoveThoseObjects()
    {
        var objects = Object("cat", 0, 1, "1", 1, 10, 10) + Object("car", 1, 0, "2", 2, 20, 20) + Object("bus", 0, 0, "3", 3, 30, 30);
        using var data = Dataset(objects);
        var dir = data.PathOf("VOC");

        Assert.That(new PascalVocGenerator(dir, "trainval").load_annotations(0).labels, Is.EqualTo(new[] { 7, 6, 5 }));
        Assert.That(new PascalVocGenerator(dir, "trainval", skip_difficult: true).load_annotations(0).labels, Is.EqualTo(new[] { 6, 5 }));
        Assert.That(new PascalVocGenerator(dir, "trainval", skip_truncated: true).load_annotations(0).labels, Is.EqualTo(new[] { 7, 5 }));
        var both = new PascalVocGenerator(dir, "trainval", skip_truncated: true, skip_difficult: true).load_annotations(0);
        Assert.That(both.labels, Is.EqualTo(new[] { 5 }));
        Assert.That(both.box(0), Is.EqualTo((2.0, 2.0, 29.0, 29.0)));
    }

    [Test]
    public void MalformedObjects_GiveKerasMessages()
    {
        using var data = Dataset(
            Object("unicorn", 0, 0, "1", 1, 2, 2),
            Object("cat", 0, 0, "1", 1, 2, 2) + "<object><name>cat</name><truncated>0</truncated></object>",
            Object("cat", 0, 0, "abc", 1, 2, 2));
        var generator = new PascalVocGenerator(data.PathOf("VOC"), "trainval");
        string File(int i) => Path.Combine(data.PathOf("VOC"), "Annotations", $"00000{i + 1}.xml");

        var classes = "['aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow', 'diningtable', " +
                      "'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor']";
        Assert.That(Assert.Throws<DatasetException>(() => generator.load_annotations(0))!.Message,
            Is.EqualTo($"invalid annotations file: {File(0)}: could not parse object #0: class name 'unicorn' not found in classes: {classes}"));
        Assert.That(Assert.Throws<DatasetException>(() => generator.load_annotations(1))!.Message,
            Is.EqualTo($"invalid annotations file: {File(1)}: could not parse object #1: missing element 'difficult'"));
        Assert.That(Assert.Throws<DatasetException>(() => generator.load_annotations(2))!.Message,
            Is.EqualTo($"invalid annotations file: {File(2)}: could not parse object #0: illegal value for 'bndbox.xmin': could not convert string to float: 'abc'"));
    }

    [Test]
    public void BrokenXml_NamesTheFile()
    {
        using var data = Dataset("");
        var path = data.WriteText("VOC/Annotations/000001.xml", "<annotation><object>");
        var e = Assert.Throws<DatasetException>(() => new PascalVocGenerator(data.PathOf("VOC"), "trainval").load_annotations(0))!;
        Assert.That(e.Message, Does.StartWith($"invalid annotations file: {path}: "));
        Assert.That(e.file, Is.EqualTo(path));
    }
}
