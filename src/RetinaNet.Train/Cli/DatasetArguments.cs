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
    public sealed record Dataset(string type, string path, string? classes = null, string? val_annotations = null, string image_extension = ".jpg");

    /// <summary>
    /// Adds <c>csv</c>, <c>pascal</c> and <c>coco</c> sub-commands to <paramref name="parent"/>; each gets the shared
    /// options and the extra positional arguments (e.g. evaluate's MODEL), then runs <paramref name="run"/>.
    /// </summary>
    public static void AddTo(Command parent, IReadOnlyList<Option> options, IReadOnlyList<Argument> trailing, bool withValidation,
        Func<ParseResult, Dataset, int> run)
    {
        var annotations = new Argument<string>("annotations") { Description = "CSV file with the annotations (path,x1,y1,x2,y2,class_name)." };
        var classes = new Argument<string>("classes") { Description = "CSV file with the classes (class_name,id)." };
        var val = new Option<string?>("--val-annotations") { Description = "CSV file with the validation annotations." };
        var csv = new Command("csv", "A keras-retinanet CSV dataset.") { annotations, classes };
        if (withValidation) csv.Options.Add(val);
        Add(parent, csv, options, trailing, parse => run(parse, new Dataset("csv", parse.GetValue(annotations)!, parse.GetValue(classes), withValidation ? parse.GetValue(val) : null)));

        var pascalPath = new Argument<string>("pascal_path") { Description = "Folder of a Pascal VOC dataset (e.g. VOCdevkit/VOC2007)." };
        var extension = new Option<string>("--image-extension") { Description = "Image file extension.", DefaultValueFactory = _ => ".jpg" };
        var pascal = new Command("pascal", "A Pascal VOC dataset.") { pascalPath, extension };
        Add(parent, pascal, options, trailing, parse => run(parse, new Dataset("pascal", parse.GetValue(pascalPath)!, image_extension: parse.GetValue(extension)!)));

        var cocoPath = new Argument<string>("coco_path") { Description = "Folder of an MS COCO dataset (annotations/ and images/)." };
        var coco = new Command("coco", "An MS COCO dataset.") { cocoPath };
        Add(parent, coco, options, trailing, parse => run(parse, new Dataset("coco", parse.GetValue(cocoPath)!)));
    }

    static void Add(Command parent, Command command, IReadOnlyList<Option> options, IReadOnlyList<Argument> trailing, Func<ParseResult, int> action)
    {
        parent.Subcommands.Add(command);
        foreach (var a in trailing) command.Arguments.Add(a);
        foreach (var o in options) command.Options.Add(o);
        command.SetAction(action);
    }

    /// <summary>The generator for one split (train / validation / test) of a dataset, or null when it has none.</summary>
    public static Generator? Create(Dataset dataset, string split, GeneratorOptions options) => (dataset.type, split) switch
    {
        ("csv", "train") => new CsvGenerator(dataset.path, dataset.classes!, options: options),
        ("csv", "validation") => dataset.val_annotations is null ? null : new CsvGenerator(dataset.val_annotations, dataset.classes!, options: options),
        ("csv", _) => new CsvGenerator(dataset.path, dataset.classes!, options: options),
        ("pascal", "train") => new PascalVocGenerator(dataset.path, "train", image_extension: dataset.image_extension, options: options),
        ("pascal", "validation") => new PascalVocGenerator(dataset.path, "val", image_extension: dataset.image_extension, options: options),
        ("pascal", _) => new PascalVocGenerator(dataset.path, "test", image_extension: dataset.image_extension, options: options),
        ("coco", "train") => new CocoGenerator(dataset.path, "train2017", options),
        ("coco", _) => new CocoGenerator(dataset.path, "val2017", options),
        _ => throw new ArgumentException($"Unknown dataset type '{dataset.type}'."),
    };
}
