using System.CommandLine;
using RetinaNet.Layers;
using RetinaNet.Train.Evaluation;
using RetinaNet.Train.Preprocessing;
using RetinaNet.Train.Utils;
using Spectre.Console;

namespace RetinaNet.Train.Cli;

/// <summary>
/// <c>retinanet evaluate {csv|pascal|coco} MODEL</c>: VOC AP per class and mAP (IoU 0.5, score 0.05, 100 detections),
/// or for COCO the 12 pycocotools figures, as keras-retinanet's <c>evaluate.py</c>.
/// </summary>
public static class EvaluateCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "Path to RetinaNet model." };
        var convert = new Option<bool>("--convert-model") { Description = "Convert the model to an inference model (ie. the input is a training model)." };
        var backbone = new Option<string>("--backbone") { Description = "The backbone of the model.", DefaultValueFactory = _ => "resnet50" };
        var countedScore = new Option<double>("--score-threshold")
        {
            Description = "Threshold on score to filter detections with: only detections scoring above it are counted in the AP.",
            DefaultValueFactory = _ => CountedDetections.DefaultScoreThreshold,
        };
        var iou = new Option<double>("--iou-threshold") { Description = "IoU Threshold to count for a positive detection.", DefaultValueFactory = _ => 0.5 };
        var maxDetections = new Option<int>("--max-detections") { Description = "Max Detections per image.", DefaultValueFactory = _ => CountedDetections.DefaultMaxDetections };
        var savePath = new Option<string?>("--save-path") { Description = "Path for saving images with detections (doesn't work for COCO)." };
        var sizing = new ImageSizingOptions();
        var config = new Option<string?>("--config") { Description = "Path to a configuration parameters .ini file (only used with --convert-model)." };
        var weighted = new Option<bool>("--weighted-average") { Description = "Also print the mAP weighted by instances." };
        var report = new Option<string?>("--report") { Description = "Folder for a detailed report: report.json, per_class.csv, PR/F1 curves, confusion matrix, error breakdown, worst images." };
        var gpu = DeviceOptions.Gpu();
        var precision = PrecisionOption.Create();
        var batchSize = BatchSizeOption.Create();
        var groupMethod = new Option<string>("--group-method") { Description = "Determines how images are grouped together (none, random, ratio); evaluation reads every image once, so the figures do not depend on it.", DefaultValueFactory = _ => "ratio" };
        groupMethod.AcceptOnlyFromAmong("none", "random", "ratio");

        var command = new Command("evaluate", "Evaluation script for a RetinaNet network.");
        DatasetArguments.AddTo(command, new Option[] { convert, backbone, countedScore, iou, maxDetections, savePath, config, weighted, report, gpu, groupMethod, precision, batchSize }.Concat(sizing.Options).ToArray(),
            new Argument[] { model }, withValidation: false, (parse, dataset) => CliErrors.Run(() =>
            {
                var batch = BatchSizeOption.Get(parse, batchSize);
                var device = DeviceOptions.Resolve("cpu", parse.GetValue(gpu));
                var network = ModelLoading.LoadInference(parse.GetValue(model)!, parse.GetValue(backbone)!, parse.GetValue(convert), parse.GetValue(config), sizing.Bind(parse));
                if (device != "cpu") network.to(TorchSharp.torch.device(device));
                var (mode, imageSizing) = ModelLoading.InputFor(network, parse.GetValue(backbone)!, sizing.Bind(parse));
                network.dtype_policy = RetinaNet.Core.BFloat16Support.Resolve(parse.GetValue(precision)!, TorchSharp.torch.device(device));
                var generator = DatasetArguments.Create(dataset, "test", new GeneratorOptions
                {
                    image_sizing = imageSizing,
                    shuffle_groups = false, preprocess_image = x => ImagePreprocessing.preprocess_image(x, mode),
                })!;
                if (generator is CocoGenerator coco)
                    EvaluateCoco(coco, network, parse.GetValue(countedScore), parse.GetValue(report), batch);
                else
                    EvaluateVoc(generator, network, parse.GetValue(iou), parse.GetValue(countedScore), parse.GetValue(maxDetections),
                        parse.GetValue(savePath), parse.GetValue(weighted), parse.GetValue(report), batch);
            }));
        return command;
    }

    static void EvaluateVoc(Preprocessing.Generator generator, RetinaNet.Core.Model model, double iou, double countedScore, int maxDetections,
        string? savePath, bool weighted, string? reportDir, int batchSize)
    {
        var images = ModelEvaluation.get_detections(generator, model, countedScore, maxDetections, savePath, batch_size: batchSize);
        var labels = Enumerable.Range(0, generator.num_classes()).Where(generator.has_label).ToList();
        var result = VocEvaluation.Evaluate(images, labels, iou);
        var report = EvaluationReport.FromVoc(result, generator.label_to_name);
        foreach (var line in report.ToKerasRetinaNetLines()) Console.WriteLine(line);
        var table = new Table().AddColumns("Class", "Instances", "AP");
        foreach (var row in report.Rows)
            table.AddRow(Markup.Escape(row.ClassName), row.Instances.ToString(System.Globalization.CultureInfo.InvariantCulture), PythonFormat.Fixed(row.AveragePrecision, 4));
        Terminal.Create().Write(table);
        if (weighted) Console.WriteLine($"mAP using the weighted average of precisions among classes: {PythonFormat.Fixed(result.WeightedMeanAveragePrecision, 4)}");
        Explain(generator, images, labels, iou, countedScore, reportDir);
    }

    /// <summary>Prints why mAP is 0 where it is, and writes the detailed report when asked.</summary>
    static void Explain(Preprocessing.Generator generator, List<EvaluationImage> images, List<int> labels, double iou, double countedScore, string? reportDir)
    {
        var details = EvaluationDetails.Compute(images, labels, generator.label_to_name, iou, countedScore);
        foreach (var reason in details.Explanations) Console.WriteLine($"why: {reason}");
        if (reportDir is null) return;
        ReportWriter.Write(details, reportDir, generator.load_image);
        Console.WriteLine($"Report written to {reportDir}");
    }

    static void EvaluateCoco(CocoGenerator generator, RetinaNet.Core.Model model, double countedScore, string? reportDir, int batchSize)
    {
        var images = CocoModelEvaluation.get_images(generator, model, countedScore, batch_size: batchSize);
        var result = CocoModelEvaluation.evaluate(generator, images);
        if (result is null)
        {
            Console.WriteLine($"No detections scored {countedScore} or more; nothing to evaluate.");
            return;
        }
        foreach (var line in result.SummaryLines) Console.WriteLine(line);
        Explain(generator, images, Enumerable.Range(0, generator.num_classes()).Where(generator.has_label).ToList(), 0.5, countedScore, reportDir);
    }
}
