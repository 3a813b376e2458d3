using System.CommandLine;
using RetinaNet.Train.Preprocessing;
using Generator = RetinaNet.Train.Preprocessing.Generator;

namespace RetinaNet.Train.Cli;

/// <summary>
/// The dataset sub-commands shared by train, evaluate and debug (<c>csv ANNOTATIONS CLASSES</c>,
/// <c>pascal DIR</c>, <c>coco DIR</c>), as keras-retinanet's scripts take them.
/// </summary>
public static class DatasetArguments
{
    /// <summary>A dataset on disk, as parsed from the command line.</summary>
    /// <param name="type">csv, pascal or coco.</param>
    /// <param name="path">The annotations file (csv) or the dataset folder.</param>
    /// <param name="classes">The classes file (csv).</param>
    /// <param name="val_annotations">The validation annotations (csv).</param>
    /// <param name="image_extension">Image file extension (pascal).</param>
    /// <param name="set">The image set asked for with debug's <c>--coco-set</c>/<c>--pascal-set</c>; null for the command's own.</param>
    public sealed record Dataset(string type, string path, string? classes = null, string? val_annotations = null, string image_extension = ".jpg",
        string? set = null);

    /// <summary>
    /// Adds <c>csv</c>, <c>pascal</c> and <c>coco</c> sub-commands to <paramref name="parent"/>; each gets the extra
    /// positional arguments (e.g. evaluate's MODEL), then runs <paramref name="run"/>. The shared options belong to
    /// <paramref name="parent"/> and are recursive, so they may stand before the dataset sub-command (keras-retinanet's
    /// argparse form: <c>train --epochs=1 csv a.csv c.csv</c>) or after its arguments (<c>train csv a.csv c.csv --epochs 1</c>).
    /// <paramref name="withSets"/> adds debug's <c>--coco-set</c> and <c>--pascal-set</c>.
    /// </summary>
    public static void AddTo(Command parent, IReadOnlyList<Option> options, IReadOnlyList<Argument> trailing, bool withValidation,
        Func<ParseResult, Dataset, int> run, bool withSets = false)
    {
        foreach (var o in options)
        {
            o.Recursive = true;
            parent.Options.Add(o);
        }
        var pascalSet = new Option<string?>("--pascal-set") { Description = "Name of the set to show (defaults to the training set: train)." };
        var cocoSet = new Option<string?>("--coco-set") { Description = "Name of the set to show (defaults to the training set: train2017)." };

        var annotations = new Argument<string>("annotations") { Description = "CSV file with the annotations (path,x1,y1,x2,y2,class_name)." };
        var classes = new Argument<string>("classes") { Description = "CSV file with the classes (class_name,id)." };
        var val = new Option<string?>("--val-annotations") { Description = "CSV file with the validation annotations." };
        var csv = new Command("csv", "A keras-retinanet CSV dataset.") { annotations, classes };
        if (withValidation) csv.Options.Add(val);
        Add(parent, csv, trailing, parse => run(parse, new Dataset("csv", parse.GetValue(annotations)!, parse.GetValue(classes), withValidation ? parse.GetValue(val) : null)));

        var pascalPath = new Argument<string>("pascal_path") { Description = "Folder of a Pascal VOC dataset (e.g. VOCdevkit/VOC2007)." };
        var extension = new Option<string>("--image-extension") { Description = "Image file extension.", DefaultValueFactory = _ => ".jpg" };
        var pascal = new Command("pascal", "A Pascal VOC dataset.") { pascalPath, extension };
        if (withSets) pascal.Options.Add(pascalSet);
        Add(parent, pascal, trailing, parse => run(parse, new Dataset("pascal", parse.GetValue(pascalPath)!, image_extension: parse.GetValue(extension)!,
            set: withSets ? parse.GetValue(pascalSet) : null)));

        var cocoPath = new Argument<string>("coco_path") { Description = "Folder of an MS COCO dataset (annotations/ and images/)." };
        var coco = new Command("coco", "An MS COCO dataset.") { cocoPath };
        if (withSets) coco.Options.Add(cocoSet);
        Add(parent, coco, trailing, parse => run(parse, new Dataset("coco", parse.GetValue(cocoPath)!, set: withSets ? parse.GetValue(cocoSet) : null)));
    }

    static void Add(Command parent, Command command, IReadOnlyList<Argument> trailing, Func<ParseResult, int> action)
    {
        parent.Subcommands.Add(command);
        foreach (var a in trailing) command.Arguments.Add(a);
        command.SetAction(action);
    }

    /// <summary>The generator for one split (train / validation / test) of a dataset, or null when it has none.</summary>
    public static Generator? Create(Dataset dataset, string split, GeneratorOptions options) => (dataset.type, split) switch
    {
        ("csv", "train") => new CsvGenerator(dataset.path, dataset.classes!, options: options),
        ("csv", "validation") => dataset.val_annotations is null ? null : new CsvGenerator(dataset.val_annotations, dataset.classes!, options: options),
        ("csv", _) => new CsvGenerator(dataset.path, dataset.classes!, options: options),
        ("pascal", _) when dataset.set is string set => new PascalVocGenerator(dataset.path, set, image_extension: dataset.image_extension, options: options),
        ("coco", _) when dataset.set is string set => new CocoGenerator(dataset.path, set, options),
        ("pascal", "train") => new PascalVocGenerator(dataset.path, "train", image_extension: dataset.image_extension, options: options),
        ("pascal", "validation") => new PascalVocGenerator(dataset.path, "val", image_extension: dataset.image_extension, options: options),
        ("pascal", _) => new PascalVocGenerator(dataset.path, "test", image_extension: dataset.image_extension, options: options),
        ("coco", "train") => new CocoGenerator(dataset.path, "train2017", options),
        ("coco", _) => new CocoGenerator(dataset.path, "val2017", options),
        _ => throw new ArgumentException($"Unknown dataset type '{dataset.type}'."),
    };
}
