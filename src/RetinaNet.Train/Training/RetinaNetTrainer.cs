using RetinaNet.Core;
using RetinaNet.Layers;
using RetinaNet.Layers.Utils;
using RetinaNet.Train.Callbacks;
using Generator = RetinaNet.Train.Preprocessing.Generator;

namespace RetinaNet.Train.Training;

/// <summary>The three views of a RetinaNet being trained (keras-retinanet's <c>create_models</c>).</summary>
/// <param name="model">The model whose weights are saved.</param>
/// <param name="training_model">The compiled model that is trained (the same model on one device).</param>
/// <param name="prediction_model">The inference model sharing those weights.</param>
public sealed record RetinaNetModels(Model model, Model training_model, Model prediction_model);

/// <summary>What a training run produced.</summary>
public sealed record TrainingResult(History history, RetinaNetModels models, string? last_snapshot, double seconds);

/// <summary>
/// keras-retinanet's <c>train.py</c> as a library: builds or resumes the model, compiles it with focal and
/// smooth-L1 losses and Adam (clipnorm), wires the callbacks (evaluation, snapshots, ReduceLROnPlateau, EarlyStopping,
/// TerminateOnNaN, logs, TensorBoard) and runs <c>fit</c> on prefetched batches.
/// </summary>
public static class RetinaNetTrainer
{
    /// <summary>Builds, loads weights into and compiles the models.</summary>
    public static RetinaNetModels create_models(Backbone backbone, int num_classes, TrainingOptions options,
        AnchorConfig anchors, Action<string> print)
    {
        Model model;
        if (options.snapshot is not null)
        {
            print($"Loading model {options.snapshot}, this may take a second...");
            model = keras.models.load_model(options.snapshot, custom_objects: backbone.custom_objects);
            RetinaNetBuilder.assert_training_model(model);
            var snapshotClasses = model.outputs[1].shape[-1];
            if (snapshotClasses != num_classes)
                throw new ArgumentException(
                    $"--snapshot {options.snapshot} was trained on {snapshotClasses} classes, but this dataset has {num_classes}. " +
                    $"Resume only on the dataset it was trained on; to start from its weights on this one, use --weights {options.snapshot}.");
        }
        else
        {
            print("Creating model, this may take a second...");
            model = backbone.retinanet(num_classes,
                modifier: options.freeze_backbone ? ModelModifiers.freeze : null,
                options: new RetinaNetOptions
                {
                    anchors = anchors,
                    feature_size = options.feature_size,
                    head_feature_size = options.feature_size,
                });
            var weights = options.weights;
            if (weights is null && options.imagenet_weights && backbone is not MobileNetBackbone)
            {
                var (url, file, hash) = Utils.ImageNetWeights.For(backbone.backbone);
                weights = Utils.WeightsDownload.GetFile(url, file, hash);
            }
            if (weights is not null)
            {
                print($"Loading weights {weights} (by name, skipping mismatches)");
                model.load_weights(weights, by_name: true, skip_mismatch: true, warn: print);
            }
        }
        model.to(TorchSharp.torch.device(options.device));
        model.dtype_policy = BFloat16Support.Resolve(options.precision, TorchSharp.torch.device(options.device), print);
        if (!model.is_compiled)
            model.compile(
                optimizer: new Adam(learning_rate: options.lr, clipnorm: options.optimizer_clipnorm),
                loss: new Dictionary<string, Loss> { ["regression"] = Losses.smooth_l1(), ["classification"] = Losses.focal() });
        var prediction = RetinaNetBuilder.retinanet_bbox(model, DetectionFilter.Default, anchors);
        prediction.dtype_policy = model.dtype_policy;
        return new RetinaNetModels(model, model, prediction);
    }

    /// <summary>keras-retinanet's callbacks for these options, in its order.</summary>
    public static List<Callback> create_callbacks(RetinaNetModels models, TrainingOptions options, Generator? validation,
        TensorBoardEventWriter? tensorboard, out SnapshotCallback? snapshots)
    {
        var callbacks = new List<Callback>();
        if (!options.no_evaluation && validation is not null)
            callbacks.Add(validation is Preprocessing.CocoGenerator coco
                ? (Callback)new CocoEvalCallback(coco, models.prediction_model, tensorboard: tensorboard)
                : new EvaluateCallback(validation, models.prediction_model, weighted_average: options.weighted_average, tensorboard: tensorboard,
                    report_dir: options.report_dir));
        snapshots = null;
        if (!options.no_snapshots)
        {
            snapshots = new SnapshotCallback(models.model, options.snapshot_path, options.backbone, options.dataset_type);
            callbacks.Add(snapshots);
        }
        callbacks.Add(new ReduceLROnPlateau(monitor: "loss", factor: options.reduce_lr_factor, patience: options.reduce_lr_patience,
            verbose: 1, mode: "auto", min_delta: 0.0001, cooldown: 0, min_lr: 0));
        if (!options.no_evaluation && validation is not null)
            callbacks.Add(new EarlyStopping(monitor: "mAP", patience: 5, mode: "max", min_delta: 0.01));
        callbacks.Add(new TerminateOnNaN());
        callbacks.Add(new EpochLogCallback(options.log_dir ?? options.snapshot_path));
        if (tensorboard is not null) callbacks.Add(new TensorBoardCallback(tensorboard, options.tensorboard_freq));
        return callbacks;
    }

    /// <summary>
    /// Runs training on the generators. <paramref name="extra_callbacks"/> receives the models and returns callbacks
    /// (progress, time budget, Ctrl+C, …) that run before keras-retinanet's own.
    /// </summary>
    public static TrainingResult train(Backbone backbone, Generator train_generator, Generator? validation_generator,
        TrainingOptions options, Func<RetinaNetModels, IEnumerable<Callback>>? extra_callbacks = null, Action<string>? print = null,
        AnchorConfig? anchors = null)
    {
        print ??= Console.WriteLine;
        anchors ??= AnchorConfig.Default;
        if (options.seed is int seed) TorchSharp.torch.manual_seed(seed);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var models = create_models(backbone, train_generator.num_classes(), options, anchors, print);

        // VGG and DenseNet floor their level sizes: anchors then follow the model's own shapes (make_shapes_callback).
        var layout = new KerasAnchorLayout(PyramidShapes.For(backbone.backbone, models.model));
        train_generator.compute_anchor_targets = new AnchorTargets(anchors, layout).Delegate;
        if (validation_generator is not null && options.compute_val_loss)
            validation_generator.compute_anchor_targets = new AnchorTargets(anchors, layout).Delegate;

        // Temporaries a killed run left behind (a snapshot's can be hundreds of MB).
        foreach (var folder in new[] { options.snapshot_path, options.log_dir ?? options.snapshot_path }.Distinct())
            foreach (var stale in TemporaryFiles.DeleteStale(folder)) print($"Removed {stale}, left by an interrupted save.");
        using var tensorboard = string.IsNullOrEmpty(options.tensorboard_dir) ? null : new TensorBoardEventWriter(options.tensorboard_dir);
        var callbacks = (extra_callbacks?.Invoke(models) ?? Enumerable.Empty<Callback>()).ToList();
        callbacks.AddRange(create_callbacks(models, options, validation_generator, tensorboard, out var snapshots));
        foreach (var c in callbacks) c.print_fn = print;

        using var data = new GeneratorDataSource(train_generator, options.workers, options.max_queue_size, options.initial_epoch);
        using var validationData = options.compute_val_loss && validation_generator is not null
            ? new GeneratorDataSource(validation_generator, options.workers, options.max_queue_size)
            : null;
        var history = models.training_model.fit(data, epochs: options.epochs, steps_per_epoch: options.steps,
            initial_epoch: options.initial_epoch, callbacks: callbacks, validation_data: validationData,
            verbose: callbacks.Any(c => c is ProgressLogger) ? 1 : 0);
        if (callbacks.OfType<TerminateOnNaN>().FirstOrDefault()?.terminated_at is var (epoch, batch))
            throw new TrainingDivergedException(
                $"Training stopped at epoch {epoch + 1}, batch {batch + 1}: the loss became NaN or infinite, so no snapshot was saved for " +
                $"that epoch{(snapshots?.last_snapshot is string last ? $" (the last good one is {last})" : "")}. " +
                $"Lower --lr (it was {options.lr.ToString(System.Globalization.CultureInfo.InvariantCulture)}) or check the annotations for degenerate boxes.");
        return new TrainingResult(history, models, snapshots?.last_snapshot, clock.Elapsed.TotalSeconds);
    }
}
