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
            // A converted torchvision RetinaNet carries its own architecture (its TorchVisionInput layer says which).
            if (Layers.TorchVision.TorchVisionRetinaNet.RecipeOf(model) is null && BackboneMatch.first_difference(backbone, model) is string difference)
                throw new ArgumentException(
                    $"--snapshot {options.snapshot} was not trained with --backbone {backbone.backbone}: {difference}. " +
                    (options.resume_state?.backbone is string trained ? $"It was trained with --backbone {trained}; pass that." : "Pass the --backbone it was trained with."));
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
                    head_norm = options.recipe.head_norm,
                    p6_from = options.recipe.p6_from,
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
        // A converted torchvision RetinaNet (its file says so) fine-tunes with torchvision's losses, and predicts
        // with its transform at the training sides.
        var torchvision = Layers.TorchVision.TorchVisionRetinaNet.RecipeOf(model);
        if (!model.is_compiled)
            model.compile(
                optimizer: new Adam(learning_rate: options.lr, clipnorm: options.optimizer_clipnorm),
                loss: torchvision is not null ? Layers.TorchVision.TorchVisionTraining.Losses(torchvision.variant)
                    : new Dictionary<string, Loss> { ["regression"] = options.recipe.BoxLoss(), ["classification"] = Losses.focal() });
        var prediction = torchvision is not null
            ? Layers.TorchVision.TorchVisionRetinaNet.inference_model(model, null,
                new Layers.TorchVision.TorchVisionTransform(options.image_sizing.min_side, options.image_sizing.max_side))
            : RetinaNetBuilder.retinanet_bbox(model, DetectionFilter.Default, anchors);
        prediction.dtype_policy = model.dtype_policy;
        return new RetinaNetModels(model, model, prediction);
    }

    /// <summary>keras-retinanet's callbacks for these options, in its order.</summary>
    /// <param name="models">The models being trained.</param>
    /// <param name="options">The run's options.</param>
    /// <param name="validation">The validation generator, if any.</param>
    /// <param name="tensorboard">The TensorBoard writer, if any.</param>
    /// <param name="snapshots">The snapshot callback, unless snapshots are off.</param>
    /// <param name="train_seed">The training generator's seed (saved with each snapshot's training state).</param>
    public static List<Callback> create_callbacks(RetinaNetModels models, TrainingOptions options, Generator? validation,
        TensorBoardEventWriter? tensorboard, out SnapshotCallback? snapshots, int train_seed = 0)
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
        var reduceLr = new ReduceLROnPlateau(monitor: "loss", factor: options.reduce_lr_factor, patience: options.reduce_lr_patience,
            verbose: 1, mode: "auto", min_delta: 0.0001, cooldown: 0, min_lr: 0);
        callbacks.Add(reduceLr);
        EarlyStopping? earlyStopping = null;
        if (!options.no_evaluation && validation is not null)
            callbacks.Add(earlyStopping = new EarlyStopping(monitor: "mAP", patience: 5, mode: "max", min_delta: 0.01));
        if (options.resume_state is { } state)
        {
            reduceLr.resume(state.reduce_lr.best, state.reduce_lr.wait, state.reduce_lr.counter);
            if (state.early_stopping is { } e) earlyStopping?.resume(e.best, e.wait, e.counter);
        }
        callbacks.Add(new TerminateOnNaN());
        callbacks.Add(new EpochLogCallback(options.log_dir ?? options.snapshot_path, options.initial_epoch));
        if (snapshots is not null)
            callbacks.Add(new TrainingStateCallback(snapshots, options.steps, initial_step(options), options.initial_epoch,
                train_seed, reduceLr, earlyStopping));
        if (tensorboard is not null) callbacks.Add(new TensorBoardCallback(tensorboard, options.tensorboard_freq));
        return callbacks;
    }

    /// <summary>
    /// Global batches trained before <see cref="TrainingOptions.initial_epoch"/>: from the resumed run's state when
    /// there is one (its steps per epoch may differ), else <c>initial_epoch · steps</c>.
    /// </summary>
    public static long initial_step(TrainingOptions options) => options.resume_state is { } state
        ? state.global_step + (long)(options.initial_epoch - state.epoch) * options.steps
        : (long)options.initial_epoch * options.steps;

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
        // torchvision RetinaNets: torchvision's anchors, matcher and box coder (see TorchVisionTraining).
        var torchvision = Layers.TorchVision.TorchVisionRetinaNet.RecipeOf(models.model) is not null;
        IAnchorLayout layout = torchvision ? Layers.TorchVision.TorchVisionAnchorLayout.Instance
            : new KerasAnchorLayout(PyramidShapes.For(backbone.backbone, models.model));
        AnchorTargets Targets() => torchvision ? new AnchorTargets(anchors, layout, Layers.TorchVision.TorchVisionTraining.anchor_targets)
            : new AnchorTargets(anchors, layout);
        train_generator.compute_anchor_targets = Targets().Delegate;
        if (validation_generator is not null && options.compute_val_loss)
            validation_generator.compute_anchor_targets = Targets().Delegate;

        // Temporaries a killed run left behind (a snapshot's can be hundreds of MB).
        foreach (var folder in new[] { options.snapshot_path, options.log_dir ?? options.snapshot_path }.Distinct())
            foreach (var stale in TemporaryFiles.DeleteStale(folder)) print($"Removed {stale}, left by an interrupted save.");
        using var tensorboard = string.IsNullOrEmpty(options.tensorboard_dir) ? null : new TensorBoardEventWriter(options.tensorboard_dir);
        var callbacks = (extra_callbacks?.Invoke(models) ?? Enumerable.Empty<Callback>()).ToList();
        callbacks.AddRange(create_callbacks(models, options, validation_generator, tensorboard, out var snapshots, train_generator.seed));
        foreach (var c in callbacks) c.print_fn = print;

        if (options.resume_state is { } resumed && models.model.optimizer is { } optimizer) optimizer.learning_rate = resumed.lr;
        using var data = new GeneratorDataSource(train_generator, options.workers, options.max_queue_size, initial_step(options));
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
