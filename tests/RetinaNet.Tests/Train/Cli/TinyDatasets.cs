using System.Globalization;
using System.Text.Json.Nodes;
using RetinaNet.Train.Demo;
using SkiaSharp;

namespace RetinaNet.Tests.Train.Cli;

/// <summary>Tiny detection datasets in the three on-disk layouts, made from the demo's shapes.</summary>
public static class TinyDatasets
{
    const int Size = 96;

    static IEnumerable<(string file, List<ShapeObject> objects)> Images(string folder, int count, int seed)
    {
        Directory.CreateDirectory(folder);
        for (int i = 0; i < count; i++)
        {
            var (image, objects) = ShapesDataset.Render(seed, i, Size, minObject: 32, maxObject: 56, maxObjects: 2);
            using (image)
            {
                var file = Path.Combine(folder, $"img{i}.jpg");
                using var data = image.Encode(SKEncodedImageFormat.Jpeg, 95);
                using var stream = File.Create(file);
                data.SaveTo(stream);
                yield return (file, objects);
            }
        }
    }

    /// <summary>CSV layout with one extra negative (empty) image row; returns (annotations, classes).</summary>
    public static (string annotations, string classes) Csv(string root, int count = 4)
    {
        var lines = new List<string>();
        foreach (var (file, objects) in Images(Path.Combine(root, "images"), count, seed: 3))
            lines.AddRange(objects.Select(o => string.Create(CultureInfo.InvariantCulture,
                $"images/{Path.GetFileName(file)},{o.x1},{o.y1},{o.x2},{o.y2},{o.class_name}")));
        var (empty, _) = ShapesDataset.Render(99, 0, Size, maxObjects: 1);
        using (empty)
        using (var data = empty.Encode(SKEncodedImageFormat.Png, 100))
        using (var stream = File.Create(Path.Combine(root, "images", "empty.png")))
            data.SaveTo(stream);
        lines.Add("images/empty.png,,,,,");
        File.WriteAllLines(Path.Combine(root, "annotations.csv"), lines);
        return (Path.Combine(root, "annotations.csv"), ShapesDataset.WriteClasses(root));
    }

    /// <summary>Pascal VOC layout with train/val/test sets over the same images, classes renamed to VOC ones.</summary>
    public static string Pascal(string root, int count = 4)
    {
        var voc = new Dictionary<string, string> { ["circle"] = "person", ["square"] = "car", ["triangle"] = "dog", ["cross"] = "cat" };
        var ids = new List<string>();
        Directory.CreateDirectory(Path.Combine(root, "Annotations"));
        foreach (var (file, objects) in Images(Path.Combine(root, "JPEGImages"), count, seed: 4))
        {
            var id = Path.GetFileNameWithoutExtension(file);
            ids.Add(id);
            var xml = $"<annotation><filename>{id}.jpg</filename><size><width>{Size}</width><height>{Size}</height><depth>3</depth></size>" +
                string.Concat(objects.Select(o => $"<object><name>{voc[o.class_name]}</name><truncated>0</truncated><difficult>0</difficult>" +
                    $"<bndbox><xmin>{o.x1 + 1}</xmin><ymin>{o.y1 + 1}</ymin><xmax>{o.x2 + 1}</xmax><ymax>{o.y2 + 1}</ymax></bndbox></object>")) +
                "</annotation>";
            File.WriteAllText(Path.Combine(root, "Annotations", id + ".xml"), xml);
        }
        var sets = Path.Combine(root, "ImageSets", "Main");
        Directory.CreateDirectory(sets);
        foreach (var set in new[] { "train", "val", "test" }) File.WriteAllLines(Path.Combine(sets, set + ".txt"), ids);
        return root;
    }

    /// <summary>COCO layout with train2017 and val2017 holding the same images.</summary>
    public static string Coco(string root, int count = 4)
    {
        var categories = ShapesDataset.Classes.Select((c, i) => new JsonObject { ["id"] = 10 + 2 * i, ["name"] = c }).ToArray();
        foreach (var set in new[] { "train2017", "val2017" })
        {
            var images = new JsonArray();
            var annotations = new JsonArray();
            int annotationId = 1, imageId = 100;
            foreach (var (file, objects) in Images(Path.Combine(root, "images", set), count, seed: 5))
            {
                images.Add(new JsonObject { ["id"] = imageId, ["file_name"] = Path.GetFileName(file), ["width"] = Size, ["height"] = Size });
                foreach (var o in objects)
                    annotations.Add(new JsonObject
                    {
                        ["id"] = annotationId++, ["image_id"] = imageId, ["iscrowd"] = 0,
                        ["category_id"] = 10 + 2 * Array.IndexOf(ShapesDataset.Classes, o.class_name),
                        ["bbox"] = new JsonArray(o.x1, o.y1, o.x2 - o.x1, o.y2 - o.y1), ["area"] = (o.x2 - o.x1) * (o.y2 - o.y1),
                    });
                imageId++;
            }
            Directory.CreateDirectory(Path.Combine(root, "annotations"));
            var json = new JsonObject
            {
                ["images"] = images, ["annotations"] = annotations,
                ["categories"] = new JsonArray(categories.Select(c => (JsonNode)c.DeepClone()).ToArray()),
            };
            File.WriteAllText(Path.Combine(root, "annotations", $"instances_{set}.json"), json.ToJsonString());
        }
        return root;
    }
}
