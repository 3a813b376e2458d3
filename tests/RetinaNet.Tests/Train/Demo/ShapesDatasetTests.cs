using RetinaNet.Train.Demo;

namespace RetinaNet.Tests.Train.Demo;

public class ShapesDatasetTests
{
    [Test]
    public void Render_IsDeterministic_AndObjectsLieInsideTheImageWithoutHeavyOverlap()
    {
        var (a, objectsA) = ShapesDataset.Render(seed: 7, index: 3);
        var (b, objectsB) = ShapesDataset.Render(seed: 7, index: 3);
        using (a) using (b)
        {
            Assert.That(objectsA, Is.EqualTo(objectsB));
            Assert.That(a.Bytes, Is.EqualTo(b.Bytes));
        }
        for (int i = 0; i < 20; i++)
        {
            var (image, objects) = ShapesDataset.Render(seed: 1, index: i);
            using (image)
            {
                Assert.That(objects, Is.Not.Empty);
                foreach (var o in objects)
                {
                    Assert.That(o.x1, Is.GreaterThanOrEqualTo(0));
                    Assert.That(o.y1, Is.GreaterThanOrEqualTo(0));
                    Assert.That(o.x2, Is.LessThanOrEqualTo(image.Width));
                    Assert.That(o.y2, Is.LessThanOrEqualTo(image.Height));
                    Assert.That(ShapesDataset.Classes, Does.Contain(o.class_name));
                }
            }
        }
    }

    [Test]
    public void WriteCsv_WritesImagesAndKerasRetinanetRows()
    {
        var folder = Path.Combine(Path.GetTempPath(), "shapes-" + Guid.NewGuid().ToString("N"));
        try
        {
            var csv = ShapesDataset.WriteCsv(folder, "train", 3, seed: 2);
            var classes = ShapesDataset.WriteClasses(folder);
            Assert.That(File.ReadAllLines(classes), Is.EqualTo(new[] { "circle,0", "square,1", "triangle,2", "cross,3" }));
            foreach (var line in File.ReadAllLines(csv))
            {
                var cells = line.Split(',');
                Assert.That(cells, Has.Length.EqualTo(6));
                Assert.That(File.Exists(Path.Combine(folder, cells[0])), Is.True, cells[0]);
                Assert.That(int.Parse(cells[3]), Is.GreaterThan(int.Parse(cells[1])));
            }
        }
        finally { Directory.Delete(folder, true); }
    }
}
