using RetinaNet.Train.Preprocessing;

namespace RetinaNet.Tests.Train.Preprocessing;

public class CsvGeneratorTests
{
    private const string Classes = "cat,0\n";

    private static DatasetException AnnotationsError(string annotations, string classes = Classes)
    {
        using var data = new TestData();
        var ann = data.WriteText("ann.csv", annotations);
        var cls = data.WriteText("classes.csv", classes);
        var e = Assert.Throws<DatasetException>(() => new CsvGenerator(ann, cls))!;
        Assert.That(e.file, Is.EqualTo(ann));
        return e;
    }

    private static void AssertAnnotationsMessage(string annotations, int line, string problem)
    {
        using var data = new TestData();
        var ann = data.WriteText("ann.csv", annotations);
        var cls = data.WriteText("classes.csv", Classes);
        var e = Assert.Throws<DatasetException>(() => new CsvGenerator(ann, cls))!;
        Assert.That(e.Message, Is.EqualTo($"invalid CSV annotations file: {ann}: line {line}: {problem}"));
        Assert.That(e.file, Is.EqualTo(ann));
        Assert.That(e.line, Is.EqualTo(line));
    }

    private static void AssertClassesMessage(string classes, int line, string problem)
    {
        using var data = new TestData();
        var ann = data.WriteText("ann.csv", "");
        var cls = data.WriteText("classes.csv", classes);
        var e = Assert.Throws<DatasetException>(() => new CsvGenerator(ann, cls))!;
        Assert.That(e.Message, Is.EqualTo($"invalid CSV class file: {cls}: line {line}: {problem}"));
        Assert.That(e.line, Is.EqualTo(line));
    }

    [Test]
    public void HeaderRow_IsAMalformedX1() =>
        AssertAnnotationsMessage("path,x1,y1,x2,y2,class_name\n", 1, "malformed x1: invalid literal for int() with base 10: 'x1'");

    [Test]
    public void FloatCoordinate_IsRejectedLikePythonInt() =>
        AssertAnnotationsMessage("img.jpg,210.0,10,300,200,cat\n", 1, "malformed x1: invalid literal for int() with base 10: '210.0'");

    [Test]
    public void EachCoordinate_IsNamed()
    {
        AssertAnnotationsMessage("a.jpg,1,2,3,4,cat\nimg.jpg,1,y,3,4,cat\n", 2, "malformed y1: invalid literal for int() with base 10: 'y'");
        AssertAnnotationsMessage("img.jpg,1,2,,4,cat\n", 1, "malformed x2: invalid literal for int() with base 10: ''");
        AssertAnnotationsMessage("img.jpg,1,2,3,4.5,cat\n", 1, "malformed y2: invalid literal for int() with base 10: '4.5'");
    }

    [Test]
    public void X2NotAboveX1_IsRejected() =>
        AssertAnnotationsMessage("img.jpg,10,5,10,20,cat\n", 1, "x2 (10) must be higher than x1 (10)");

    [Test]
    public void Y2NotAboveY1_IsRejected() =>
        AssertAnnotationsMessage("img.jpg,10,25,20,20,cat\n", 1, "y2 (20) must be higher than y1 (25)");

    [Test]
    public void UnknownClass_ListsTheClasses() =>
        AssertAnnotationsMessage("img.jpg,1,2,3,4,dog\n", 1, "unknown class name: 'dog' (classes: {'cat': 0})");

    [Test]
    public void TooFewColumns_ShowsTheExpectedFormat()
    {
        AssertAnnotationsMessage("img.jpg,1,2,3,4\n", 1, "format should be 'img_file,x1,y1,x2,y2,class_name' or 'img_file,,,,,'");
        // Python's csv reader turns a blank line into an empty row, which is malformed too.
        AssertAnnotationsMessage("img.jpg,1,2,3,4,cat\n\n", 2, "format should be 'img_file,x1,y1,x2,y2,class_name' or 'img_file,,,,,'");
    }

    [Test]
    public void MalformedClassesFile_Messages()
    {
        AssertClassesMessage("cat\n", 1, "format should be 'class_name,class_id'");
        AssertClassesMessage("cat,0,extra\n", 1, "format should be 'class_name,class_id'");
        AssertClassesMessage("cat,0\ndog,b\n", 2, "malformed class ID: invalid literal for int() with base 10: 'b'");
        AssertClassesMessage("cat,0\ndog,1\ncat,2\n", 3, "duplicate class name: 'cat'");
    }

    [Test]
    public void MissingFile_IsADatasetErrorNamingIt()
    {
        using var data = new TestData();
        var cls = data.WriteText("classes.csv", Classes);
        var missing = data.PathOf("nope.csv");
        var e = Assert.Throws<DatasetException>(() => new CsvGenerator(missing, cls))!;
        Assert.That(e.Message, Does.StartWith($"invalid CSV annotations file: {missing}: "));
    }

    [Test]
    public void EmptyImageRow_GivesAnImageWithoutAnnotations_AndRowsMergePerImage()
    {
        using var data = new TestData();
        var ann = data.WriteText("sub/ann.csv",
            "neg.jpg,,,,,\n" +
            "pos.jpg,1,2,3,4,dog,ignored-extra-column\n" +
            "\"with,comma.jpg\",5,6,7,8,cat\n" +
            "pos.jpg,10,20,30,40,cat\n" +
            "/abs/path.jpg,0,0,1,1,cat\n");
        var cls = data.WriteText("classes.csv", "cat,0\ndog,2\n");

        var generator = new CsvGenerator(ann, cls);

        Assert.That(generator.size(), Is.EqualTo(4));
        Assert.That(generator.image_names, Is.EqualTo(new[] { "neg.jpg", "pos.jpg", "with,comma.jpg", "/abs/path.jpg" }));
        Assert.That(generator.load_annotations(0).Count, Is.EqualTo(0));
        var pos = generator.load_annotations(1);
        Assert.That(pos.labels, Is.EqualTo(new[] { 2, 0 }));
        Assert.That(pos.box(0), Is.EqualTo((1.0, 2.0, 3.0, 4.0)));
        Assert.That(pos.box(1), Is.EqualTo((10.0, 20.0, 30.0, 40.0)));
        // Relative paths are resolved against the annotations file's folder; absolute ones are kept.
        Assert.That(generator.image_path(1), Is.EqualTo(Path.Combine(data.PathOf("sub"), "pos.jpg")));
        Assert.That(generator.image_path(3), Is.EqualTo("/abs/path.jpg"));
        // Class ids need not be contiguous: num_classes is the largest id + 1.
        Assert.That(generator.num_classes(), Is.EqualTo(3));
        Assert.That(generator.has_label(2) && !generator.has_label(1), Is.True);
        Assert.That(generator.label_to_name(2), Is.EqualTo("dog"));
        Assert.That(generator.name_to_label("cat"), Is.EqualTo(0));
    }

    [Test]
    public void Images_LoadThroughTheBaseDirectory()
    {
        using var data = new TestData();
        data.WriteImage("img/a.png", 6, 3);
        var ann = data.WriteText("ann.csv", "img/a.png,1,1,4,2,cat\n");
        var cls = data.WriteText("classes.csv", Classes);

        var generator = new CsvGenerator(ann, cls);

        Assert.That(generator.image_aspect_ratio(0), Is.EqualTo(2.0));
        using var image = generator.load_image(0);
        Assert.That(image.shape, Is.EqualTo(new long[] { 3, 6, 3 }));
    }
}
