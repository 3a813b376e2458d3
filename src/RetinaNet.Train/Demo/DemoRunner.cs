using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Layers;
using RetinaNet.Train.Callbacks;
using RetinaNet.Train.Evaluation;
using RetinaNet.Train.Inference;
using RetinaNet.Train.Preprocessing;
using RetinaNet.Train.Training;
using RetinaNet.Train.Utils;

namespace RetinaNet.Train.Demo;

/// <summary>What the demo reached.</summary>
public sealed record DemoResult(double mAP, IReadOnlyDictionary<string, double> average_precision, double seconds,
    IReadOnlyList<(double seconds, double mAP)> curve, string model_path, string summary_path, IReadOnlyList<string> drawings,
    EvaluationReport? report = null);

/// <summary>
/// <c>retinanet demo</c>: generates the shapes dataset, trains a light RetinaNet on it through the regular CSV
/// pipeline within a time budget, evaluates mAP@0.5 (with a detailed report in <c>report/</c>), saves the inference
/// model, and draws predictions.
/// </summary>
public static class DemoRunner
{
    /// <summary>Seconds kept back from training for the final evaluation, saving and drawing.</summary>
    const double ReserveSeconds = 30;

    /// <summary>Runs the demo and writes everything to <see cref="DemoOptions.output"/>.</summary>
    public static DemoResult Run(DemoOptions options, Action<string>? print = null, CancellationToken cancel = default)
    {
        print ??= Console.WriteLine;
        var clock = Stopwatch.StartNew();
        NativeRuntime.Configure();
        keras.backend.clear_session();
        TorchSharp.torch.manual_seed(options.seed);
        var output = Path.GetFullPath(options.output);
        var data = Path.Combine(output, "data");

        print($"Generating {options.train_images} training and {options.val_images} validation images in {data}");
        var classes = ShapesDataset.WriteClasses(data);
        var trainCsv = ShapesDataset.WriteCsv(data, "train", options.train_images, options.seed, options.image_size);
        var valCsv = ShapesDataset.WriteCsv(data, "val", options.val_images, options.seed + 1, options.image_size);

        var sizing = new ImageSizing(options.image_size, options.image_size);
        var session = new TrainingSession(new TrainingOptions
        {
            backbone = options.backbone, dataset_type = "csv", batch_size = options.batch_size, epochs = 100_000,
            lr = options.lr, feature_size = options.feature_size, no_snapshots = true, group_method = "random",
            image_sizing = sizing, no_evaluation = true, snapshot_path = output, log_dir = output, workers = options.workers,
            seed = options.seed, reduce_lr_patience = int.MaxValue / 2, recipe = options.recipe,
        }, print);
        var backbone = session.backbone;
        // Training: random order and horizontal flips only; validation: one image at a time, in file order.
        var train = new CsvGenerator(trainCsv, classes, options: session.generator_options(training: true));
        var validation = new CsvGenerator(valCsv, classes,
            options: session.generator_options(training: false) with { batch_size = 1, group_method = "none" });

        var budget = TimeSpan.FromMinutes(options.minutes) - clock.Elapsed - TimeSpan.FromSeconds(ReserveSeconds);
        if (budget <= TimeSpan.Zero) throw new ArgumentException($"--minutes {options.minutes} leaves no time to train.");
        print($"Training {options.backbone} (FPN/head width {options.feature_size}) for {budget.TotalMinutes:0.0} minutes, batch {options.batch_size}");

        var timeBudget = new TimeBudgetCallback(budget);
        MapCurveCallback? curve = null;
        // One epoch is one pass over the training images.
        var result = session.with_options(o => o with { steps = train.Count }).train(train, validation,
            extra_callbacks: m => new Callback[]
            {
                timeBudget, curve = new MapCurveCallback(validation, m.prediction_model, options.curve_interval_seconds),
            },
            cancel: cancel);
        var prediction = result.models.prediction_model;

        print("Evaluating on the validation images");
        var finalImages = ModelEvaluation.get_detections(validation, prediction);
        var validationLabels = Enumerable.Range(0, validation.num_classes()).Where(validation.has_label).ToList();
        var final = VocEvaluation.Evaluate(finalImages, validationLabels);
        var report = EvaluationReport.FromDetections(finalImages, validationLabels, validation.label_to_name);
        report.WriteTo(Path.Combine(output, "report"), validation.load_image);
        var mAP = final.MeanAveragePrecision;
        var perClass = final.Classes.ToDictionary(c => validation.label_to_name(c.Label), c => c.AveragePrecision);
        curve!.points.Add((timeBudget.elapsed_seconds, mAP));

        var modelPath = Path.Combine(output, "retinanet_shapes_inference.h5");
        prediction.save(modelPath);

        var detector = new Detector(prediction, validation.label_to_name, backbone.preprocess_mode, sizing);
        var drawings = new List<string>();
        var predictions = Path.Combine(output, "predictions");
        for (int i = 0; i < Math.Min(options.drawn_images, validation.size()); i++)
        {
            var image = validation.image_path(i);
            var png = Path.Combine(predictions, Path.GetFileNameWithoutExtension(image) + ".png");
            Detector.draw(image, detector.detect(image, min_score: 0.5), png);
            drawings.Add(png);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var summaryPath = Path.Combine(output, "summary.json");
        var summary = new JsonObject
        {
            ["mAP"] = mAP,
            ["average_precision"] = new JsonObject(perClass.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["seconds"] = seconds,
            ["training_seconds"] = timeBudget.elapsed_seconds,
            ["curve"] = new JsonArray(curve!.points.Select(p => (JsonNode)new JsonObject { ["seconds"] = p.seconds, ["mAP"] = p.mAP }).ToArray()),
            ["backbone"] = options.backbone,
            ["feature_size"] = options.feature_size,
            ["batch_size"] = options.batch_size,
            ["train_images"] = options.train_images,
            ["val_images"] = options.val_images,
            ["image_size"] = options.image_size,
            ["model"] = modelPath,
        };
        AtomicFile.WriteAllText(summaryPath, summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        print(EvaluationReport.FromVoc(final, validation.label_to_name).ToText());
        print($"mAP@0.5 = {mAP:0.0000} after {seconds / 60:0.0} minutes; model {modelPath}; summary {summaryPath}");
        return new DemoResult(mAP, perClass, seconds, curve!.points, modelPath, summaryPath, drawings, report);
    }
}
