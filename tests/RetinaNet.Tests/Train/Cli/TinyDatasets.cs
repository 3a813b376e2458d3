using System.Globalization;
using System.Text.Json.Nodes;
using RetinaNet.Train.Demo;
using SkiaSharp;

namespace RetinaNet.Tests.Train.Cli;

/// <summary>Tiny detection datasets in the on-disk layouts keras-retinanet reads, made from the demo's shapes.</summary>
public static class TinyDatasets
{
    const int Size = 96;

    static IEnumerable<(string file, List<ShapeObject> objects)> Images(string folder, int count, int seed,
        Func<int, string>? name = null, SKEncodedImageFormat format = SKEncodedImageFormat.Jpeg)
    {
        Directory.CreateDirectory(folder);
        for (int i = 0; i < count; i++)
        {
            var (image, objects) = ShapesDataset.Render(seed, i, Size, minObject: 32, maxObject: 56, maxObjects: 2);
            using (image)
            {
                var file = Path.Combine(folder, name?.Invoke(i) ?? $"img{i}.jpg");
                using var data = image.Encode(format, 95);
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

    /// <summary>The shapes as KITTI types and Open Images classes (LabelName, description).</summary>
    public static readonly Dictionary<string, string> KittiTypes = new() { ["circle"] = "Car", ["square"] = "Van", ["triangle"] = "Pedestrian", ["cross"] = "Cyclist" };
    public static readonly Dictionary<string, (string id, string name)> OpenImagesClasses = new()
    {
        ["circle"] = ("/m/0circle", "Ball"), ["square"] = ("/m/0square", "Box"), ["triangle"] = ("/m/0tri", "Tent"), ["cross"] = ("/m/0cross", "Cross"),
    };

    /// <summary>KITTI layout (train/ and val/ over the same images, 15-field label lines, PNG images).</summary>
    public static string Kitti(string root, int count = 4)
    {
        foreach (var subset in new[] { "train", "val" })
        {
            var labels = Path.Combine(root, subset, "labels");
            Directory.CreateDirectory(labels);
            foreach (var (file, objects) in Images(Path.Combine(root, subset, "images"), count, seed: 6, i => $"{i:000000}.png", SKEncodedImageFormat.Png))
                File.WriteAllLines(Path.Combine(labels, Path.GetFileNameWithoutExtension(file) + ".txt"), objects.Select(o => string.Create(
                    CultureInfo.InvariantCulture, $"{KittiTypes[o.class_name]} 0.00 0 -1.57 {o.x1}.00 {o.y1}.00 {o.x2}.00 {o.y2}.00 1.50 1.60 3.70 -3.00 1.50 20.00 -1.57")));
        }
        return root;
    }

    /// <summary>Open Images v4 layout (2018_04 metadata, train and validation over the same images).</summary>
    public static string OpenImages(string root, int count = 4)
    {
        var metadata = Path.Combine(root, "2018_04");
        Directory.CreateDirectory(metadata);
        File.WriteAllLines(Path.Combine(metadata, "class-descriptions-boxable.csv"),
            OpenImagesClasses.Values.Select(c => $"{c.id},{c.name}").Prepend("/m/0other,Other"));
        var hierarchy = new JsonObject
        {
            ["LabelName"] = "/m/0bl9f",
            ["Subcategory"] = new JsonArray(OpenImagesClasses.Values.Select(c => (JsonNode)new JsonObject { ["LabelName"] = c.id }).ToArray()),
        };
        File.WriteAllText(Path.Combine(metadata, "bbox_labels_600_hierarchy.json"), hierarchy.ToJsonString());
        foreach (var subset in new[] { "train", "validation" })
        {
            var lines = new List<string> { "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,IsDepiction,IsInside" };
            foreach (var (file, objects) in Images(Path.Combine(root, "images", subset), count, seed: 7, i => $"{i:x16}.jpg"))
                lines.AddRange(objects.Select(o => string.Create(CultureInfo.InvariantCulture,
                    $"{Path.GetFileNameWithoutExtension(file)},xclick,{OpenImagesClasses[o.class_name].id},1,{o.x1 / (double)Size},{o.x2 / (double)Size},{o.y1 / (double)Size},{o.y2 / (double)Size},0,0,0,0,0")));
            Directory.CreateDirectory(Path.Combine(metadata, subset));
            File.WriteAllLines(Path.Combine(metadata, subset, $"{subset}-annotations-bbox.csv"), lines);
        }
        return root;
    }
}
