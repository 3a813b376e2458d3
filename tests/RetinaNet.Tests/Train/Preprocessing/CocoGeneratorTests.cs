using RetinaNet.Train.Preprocessing;

namespace RetinaNet.Tests.Train.Preprocessing;

public class CocoGeneratorTests
{
    private const string Json = """
        {
          "images": [
            {"id": 42, "file_name": "a.jpg", "width": 640, "height": 480},
            {"id": 7, "file_name": "b.jpg", "width": 100, "height": 200}
          ],
          "categories": [
            {"id": 18, "name": "dog", "supercategory": "animal"},
            {"id": 1, "name": "person", "supercategory": "person"},
            {"id": 90, "name": "toothbrush", "supercategory": "indoor"}
          ],
          "annotations": [
            {"id": 1, "image_id": 42, "category_id": 18, "bbox": [10.5, 20, 30, 40], "iscrowd": 0, "area": 1200},
            {"id": 2, "image_id": 42, "category_id": 1, "bbox": [0, 0, 50, 60], "iscrowd": 1, "area": 3000},
            {"id": 3, "image_id": 42, "category_id": 90, "bbox": [5, 5, 0.5, 10], "iscrowd": 0, "area": 5},
            {"id": 4, "image_id": 42, "category_id": 1, "bbox": [100, 100, 1, 1], "iscrowd": 0, "area": 1}
          ]
        }
        """;

    [Test]
    public void Categories_SortedById_BecomeContiguousLabels()
    {
        using var data = new TestData();
        data.WriteText("coco/annotations/instances_val2017.json", Json);
        var generator = new CocoGenerator(data.PathOf("coco"), "val2017");

        Assert.That(generator.num_classes(), Is.EqualTo(3));
        Assert.That(Enumerable.Range(0, 3).Select(generator.label_to_name), Is.EqualTo(new[] { "person", "dog", "toothbrush" }));
        Assert.That(generator.coco_label_to_label(1), Is.EqualTo(0));
        Assert.That(generator.coco_label_to_label(18), Is.EqualTo(1));
        Assert.That(generator.coco_label_to_label(90), Is.EqualTo(2));
        Assert.That(generator.label_to_coco_label(2), Is.EqualTo(90));
        Assert.That(generator.coco_label_to_name(18), Is.EqualTo("dog"));
        Assert.That(generator.name_to_label("toothbrush"), Is.EqualTo(2));
    }

    [Test]
    public void Annotations_SkipCrowdAndTinyBoxes_AndConvertXywh()
    {
        using var data = new TestData();
        data.WriteText("coco/annotations/instances_val2017.json", Json);
        var generator = new CocoGenerator(data.PathOf("coco"), "val2017");

        Assert.That(generator.size(), Is.EqualTo(2));
        Assert.That(generator.image_ids, Is.EqualTo(new long[] { 42, 7 }));
        var annotations = generator.load_annotations(0);
        // id 2 is a crowd, id 3 is 0.5 wide; [x, y, w, h] -> [x, y, x + w, y + h].
        Assert.That(annotations.labels, Is.EqualTo(new[] { 1, 0 }));
        Assert.That(annotations.box(0), Is.EqualTo((10.5, 20.0, 40.5, 60.0)));
        Assert.That(annotations.box(1), Is.EqualTo((100.0, 100.0, 101.0, 101.0)));
        Assert.That(generator.load_annotations(1).Count, Is.EqualTo(0));
        Assert.That(generator.image_path(1), Is.EqualTo(Path.Combine(data.PathOf("coco"), "images", "val2017", "b.jpg")));
        Assert.That(generator.image_aspect_ratio(0), Is.EqualTo(640.0 / 480));
    }

    [Test]
    public void GroundTruthForEvaluation_KeepsCrowdTinyBoxesAndAreaField_InFileOrder()
    {
        using var data = new TestData();
        data.WriteText("coco/annotations/instances_val2017.json", Json);
        var generator = new CocoGenerator(data.PathOf("coco"), "val2017");

        var gt = generator.ground_truth;
        Assert.That(gt.Select(g => g.CategoryId), Is.EqualTo(new[] { 18, 1, 90, 1 }));
        Assert.That(gt.Select(g => g.IsCrowd), Is.EqualTo(new[] { false, true, false, false }));
        Assert.That(gt.Select(g => g.Area), Is.EqualTo(new double?[] { 1200, 3000, 5, 1 }));
        Assert.That(gt[0].Bbox, Is.EqualTo(new RetinaNet.Train.Evaluation.CocoBox(10.5, 20, 30, 40)));
        Assert.That(generator.category_ids, Is.EqualTo(new long[] { 1, 18, 90 }));
    }

    [Test]
    public void MissingFieldOrUnknownCategory_IsADatasetErrorNamingTheFile()
    {
        using var data = new TestData();
        var path = data.WriteText("coco/annotations/instances_x.json",
            """{"images": [{"id": 1, "file_name": "a.jpg", "width": 1}], "categories": []}""");
        var e = Assert.Throws<DatasetException>(() => new CocoGenerator(data.PathOf("coco"), "x"))!;
        Assert.That(e.Message, Does.StartWith($"invalid COCO annotations file: {path}: missing 'height'"));

        data.WriteText("coco/annotations/instances_y.json",
            """{"images": [], "categories": [], "annotations": [{"id": 5, "image_id": 1, "category_id": 3, "bbox": [0, 0, 2, 2]}]}""");
        var unknown = Assert.Throws<DatasetException>(() => new CocoGenerator(data.PathOf("coco"), "y"))!;
        Assert.That(unknown.Message, Does.EndWith("annotation 5 has unknown category_id 3"));
    }
}
