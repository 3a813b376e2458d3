using System.CommandLine;
using RetinaNet.Layers;
using RetinaNet.Layers.Utils;
using RetinaNet.Train.Preprocessing;
using RetinaNet.Train.Utils;
using SkiaSharp;
using static TorchSharp.torch;

namespace RetinaNet.Train.Cli;

/// <summary>
/// <c>retinanet debug {csv|pascal|coco}</c>: draws, per image, the anchors that are positive for its annotations
/// (yellow) and the annotations — green when at least one anchor is positive for them, red when none is and the
/// object therefore contributes nothing to training (keras-retinanet's <c>debug.py</c>, written to files).
/// </summary>
public static class DebugCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var anchors = new Option<bool>("--anchors") { Description = "Show positive anchors on the image." };
        var annotations = new Option<bool>("--show-annotations", "--annotations") { Description = "Show annotations on the image. Green annotations have anchors, red annotations don't and therefore don't contribute to training." };
        var displayName = new Option<bool>("--display-name") { Description = "Display image name on the bottom left corner." };
        var randomTransform = new Option<bool>("--random-transform") { Description = "Randomly transform image and annotations." };
        var sizing = new ImageSizingOptions();
        var config = new Option<string?>("--config") { Description = "Path to a configuration parameters .ini file." };
        var outputDir = new Option<string>("--output-dir") { Description = "Directory to save the debug images to.", DefaultValueFactory = _ => "." };
        var flatten = new Option<bool>("--flatten-output") { Description = "Flatten the folder structure of saved images into the output directory." };
        var noGui = new Option<bool>("--no-gui") { Description = "Do not open a window (this program never does: every image is written to --output-dir)." };
        var groupMethod = new Option<string>("--group-method") { Description = "Determines how images are grouped together (none, random, ratio); every image is written once, whatever the grouping.", DefaultValueFactory = _ => "ratio" };
        groupMethod.AcceptOnlyFromAmong("none", "random", "ratio");

        var command = new Command("debug", "Debug script for a RetinaNet network.");
        DatasetArguments.AddTo(command, new Option[] { anchors, annotations, displayName, randomTransform, config, outputDir, flatten, noGui, groupMethod }.Concat(sizing.Options).ToArray(),
            Array.Empty<Argument>(), withValidation: false, (parse, dataset) => CliErrors.Run(() =>
            {
                var (transform, visual) = Augmentation.training(parse.GetValue(randomTransform));
                var generator = DatasetArguments.Create(dataset, "train", new GeneratorOptions
                {
                    image_sizing = sizing.Bind(parse),
                    shuffle_groups = false, group_method = "none",
                    transform_generator = parse.GetValue(randomTransform) ? transform : null,
                    visual_effect_generator = parse.GetValue(randomTransform) ? visual : null,
                    preprocess_image = x => x.alias(), // debug draws the resized image itself, not the network input
                })!;
                var written = Run(generator, ConfigFile.read_anchor_config(parse.GetValue(config)), parse.GetValue(anchors), parse.GetValue(annotations),
                    parse.GetValue(displayName), parse.GetValue(outputDir)!, parse.GetValue(flatten));
                Console.WriteLine($"Wrote {written.Count} debug images to {Path.GetFullPath(parse.GetValue(outputDir)!)}");
            }), withSets: true);
        return command;
    }

    /// <summary>Writes one debug image per dataset image and returns their paths.</summary>
    public static List<string> Run(Preprocessing.Generator generator, AnchorConfig anchorConfig,
        bool showAnchors, bool showAnnotations, bool displayName, string outputDir, bool flatten)
    {
        var written = new List<string>();
        for (int i = 0; i < generator.size(); i++)
        {
            using var scope = NewDisposeScope();
            var raw = generator.load_image_for_augmentation(i);
            var boxes = generator.filter_annotations(raw, generator.load_annotations(i), i);
            var random = new Random(i);
            var effect = generator.visual_effect_generator?.Invoke(random);
            var (image, annotations) = generator.augment_and_resize_group_entry(raw, boxes, effect, generator.random_transform_for(raw, random));
            image = generator.preprocess_image(image);

            var anchorBoxes = AnchorMath.anchors_for_shape(new[] { image.shape[0], image.shape[1] }, anchorConfig);
            var truth = annotations.to_tensors();
            // An image without annotations has no positive anchors.
            var positiveIndices = zeros(0, ScalarType.Int64);
            var matched = new HashSet<long>();
            if (annotations.Count > 0)
            {
                var (positive, _, argmax) = AnchorMath.compute_gt_annotations(anchorBoxes, truth.bboxes);
                positiveIndices = positive.nonzero().flatten();
                if (positiveIndices.shape[0] > 0) matched = argmax.index_select(0, positiveIndices).data<long>().ToHashSet();
            }

            using var bitmap = Visualization.to_bitmap(image);
            using (var canvas = new SKCanvas(bitmap))
            {
                if (showAnchors && positiveIndices.shape[0] > 0)
                {
                    var anchorData = anchorBoxes.index_select(0, positiveIndices).to(ScalarType.Float64).contiguous().data<double>().ToArray();
                    for (int k = 0; k + 3 < anchorData.Length; k += 4)
                        Visualization.draw_box(canvas, anchorData[k], anchorData[k + 1], anchorData[k + 2], anchorData[k + 3], new SKColor(255, 255, 0), 1);
                }
                if (showAnnotations)
                    for (int a = 0; a < annotations.Count; a++)
                    {
                        var (x1, y1, x2, y2) = annotations.box(a);
                        var color = matched.Contains(a) ? new SKColor(0, 255, 0) : new SKColor(255, 0, 0);
                        Visualization.draw_box(canvas, x1, y1, x2, y2, color);
                        Visualization.draw_caption(canvas, x1, y1, generator.label_to_name(annotations.labels[a]));
                    }
                if (displayName) Visualization.draw_caption(canvas, 0, bitmap.Height, generator.image_path(i));
            }
            var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), generator.image_path(i));
            var name = flatten || relative.StartsWith("..") ? Path.GetFileNameWithoutExtension(relative) : Path.ChangeExtension(relative, null);
            var path = Path.Combine(outputDir, name + "_debug.png");
            Visualization.save_png(bitmap, path);
            written.Add(path);
        }
        return written;
    }
}
