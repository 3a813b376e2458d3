using System.CommandLine;
using RetinaNet.Train.Training;

namespace RetinaNet.Train.Cli;

/// <summary><c>retinanet train {csv|pascal|coco}</c> with keras-retinanet's <c>train.py</c> flags.</summary>
public static class TrainCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var d = new TrainingOptions();
        var snapshot = new Option<string?>("--snapshot") { Description = "Resume training from a snapshot (weights and optimizer state)." };
        var imagenet = new Option<bool>("--imagenet-weights") { Description = "Initialize the backbone with keras-retinanet's ImageNet weights (downloaded once; ResNet-50/101/152)." };
        var weights = new Option<string?>("--weights") { Description = "Initialize the model with weights from a file (by name, skipping mismatches)." };
        var noWeights = new Option<bool>("--no-weights") { Description = "Don't initialize the model with any weights (the default here)." };
        var backbone = new Option<string>("--backbone") { Description = "Backbone model used by retinanet.", DefaultValueFactory = _ => d.backbone };
        var batchSize = new Option<int>("--batch-size") { Description = "Size of the batches.", DefaultValueFactory = _ => d.batch_size };
        var initialEpoch = new Option<int>("--initial-epoch") { Description = "Epoch from which to begin the train, useful if resuming from snapshot.", DefaultValueFactory = _ => 0 };
        var epochs = new Option<int>("--epochs") { Description = "Number of epochs to train.", DefaultValueFactory = _ => d.epochs };
        var steps = new Option<int>("--steps") { Description = "Number of steps per epoch.", DefaultValueFactory = _ => d.steps };
        var lr = new Option<double>("--lr") { Description = "Learning rate.", DefaultValueFactory = _ => d.lr };
        var clipnorm = new Option<double>("--optimizer-clipnorm") { Description = "Clipnorm parameter for optimizer.", DefaultValueFactory = _ => d.optimizer_clipnorm };
        var snapshotPath = new Option<string>("--snapshot-path") { Description = "Path to store snapshots of models during training.", DefaultValueFactory = _ => d.snapshot_path };
        var tensorboard = new Option<string>("--tensorboard-dir") { Description = "Log directory for TensorBoard output.", DefaultValueFactory = _ => "" };
        var noSnapshots = new Option<bool>("--no-snapshots") { Description = "Disable saving snapshots." };
        var noEvaluation = new Option<bool>("--no-evaluation") { Description = "Disable per epoch evaluation." };
        var freeze = new Option<bool>("--freeze-backbone") { Description = "Freeze training of backbone layers." };
        var randomTransform = new Option<bool>("--random-transform") { Description = "Randomly transform image and annotations." };
        var sizing = new ImageSizingOptions();
        var recipe = new TrainingRecipeOptions();
        var config = new Option<string?>("--config") { Description = "Path to a configuration parameters .ini file." };
        var weighted = new Option<bool>("--weighted-average") { Description = "Compute the mAP using the weighted average of precisions among classes." };
        var valLoss = new Option<bool>("--compute-val-loss") { Description = "Compute validation loss during training." };
        var patience = new Option<int>("--reduce-lr-patience") { Description = "Reduce learning rate after validation loss decreases over reduce_lr_patience epochs.", DefaultValueFactory = _ => d.reduce_lr_patience };
        var factor = new Option<double>("--reduce-lr-factor") { Description = "When learning rate is reduced due to reduce_lr_patience, multiply by reduce_lr_factor.", DefaultValueFactory = _ => d.reduce_lr_factor };
        var groupMethod = new Option<string>("--group-method") { Description = "Determines how images are grouped together (none, random, ratio).", DefaultValueFactory = _ => d.group_method };
        groupMethod.AcceptOnlyFromAmong("none", "random", "ratio");
        var workers = new Option<int>("--workers") { Description = "Number of background workers preparing batches.", DefaultValueFactory = _ => d.workers };
        var queue = new Option<int>("--max-queue-size") { Description = "Queue length of prepared batches.", DefaultValueFactory = _ => d.max_queue_size };
        var device = new Option<string>("--device") { Description = "Device to train on (cpu, cuda, cuda:1).", DefaultValueFactory = _ => d.device };
        var seed = new Option<int?>("--seed") { Description = "Random seed for initialisation and augmentation." };
        var report = new Option<string?>("--report") { Description = "Folder for a detailed evaluation report after each epoch (epoch_NN/: PR curves, confusion matrix, ...)." };
        var gpu = DeviceOptions.Gpu();
        var multiGpu = DeviceOptions.MultiGpu();
        var multiGpuForce = DeviceOptions.MultiGpuForce();
        var multiprocessing = new Option<bool>("--multiprocessing") { Description = "Use multiprocessing in fit_generator (here: batches are always prepared by --workers background threads)." };
        var tensorboardFreq = new Option<string>("--tensorboard-freq") { Description = "Update frequency for Tensorboard output. Values 'epoch', 'batch' or int.", DefaultValueFactory = _ => d.tensorboard_freq };
        var precision = PrecisionOption.Create();
        var featureSize = new Option<int>("--feature-size") { Description = "Channels of the FPN and heads (256 as keras-retinanet; smaller for light CPU models).", DefaultValueFactory = _ => d.feature_size };

        Option[] options = { snapshot, imagenet, weights, noWeights, backbone, batchSize, initialEpoch, epochs, steps, lr, clipnorm,
            snapshotPath, tensorboard, noSnapshots, noEvaluation, freeze, randomTransform, config, weighted,
            valLoss, patience, factor, groupMethod, workers, queue, device, seed, featureSize, gpu, multiGpu, multiGpuForce, multiprocessing, tensorboardFreq, report, precision };
        options = options.Concat(sizing.Options).Concat(recipe.Options).ToArray();
        var command = new Command("train", "Simple training script for training a RetinaNet network.");
        DatasetArguments.AddTo(command, options, Array.Empty<Argument>(), withValidation: true, (parse, dataset) => CliErrors.Run(() =>
        {
            var exclusive = new[] { parse.GetValue(snapshot) is not null, parse.GetValue(imagenet), parse.GetValue(weights) is not null, parse.GetValue(noWeights) };
            if (exclusive.Count(x => x) > 1)
                throw new ArgumentException("--snapshot, --imagenet-weights, --weights and --no-weights are mutually exclusive.");
            var resolvedDevice = DeviceOptions.Resolve(parse.GetValue(device)!, parse.GetValue(gpu), parse.GetValue(multiGpu),
                parse.GetValue(multiGpuForce), parse.GetValue(batchSize), resuming: parse.GetValue(snapshot) is not null);
            Callbacks.TensorBoardCallback.ParseFrequency(parse.GetValue(tensorboardFreq)!);
            var options = new TrainingOptions
            {
                backbone = parse.GetValue(backbone)!, dataset_type = dataset.type, batch_size = parse.GetValue(batchSize),
                initial_epoch = parse.GetValue(initialEpoch), epochs = parse.GetValue(epochs), steps = parse.GetValue(steps),
                lr = parse.GetValue(lr), optimizer_clipnorm = parse.GetValue(clipnorm), snapshot_path = parse.GetValue(snapshotPath)!,
                snapshot = parse.GetValue(snapshot), weights = parse.GetValue(weights), imagenet_weights = parse.GetValue(imagenet),
                freeze_backbone = parse.GetValue(freeze), random_transform = parse.GetValue(randomTransform),
                image_sizing = sizing.Bind(parse), recipe = recipe.Bind(parse),
                config = parse.GetValue(config), no_snapshots = parse.GetValue(noSnapshots), no_evaluation = parse.GetValue(noEvaluation),
                weighted_average = parse.GetValue(weighted), compute_val_loss = parse.GetValue(valLoss),
                tensorboard_dir = parse.GetValue(tensorboard)!, reduce_lr_patience = parse.GetValue(patience),
                reduce_lr_factor = parse.GetValue(factor), group_method = parse.GetValue(groupMethod)!, workers = parse.GetValue(workers),
                max_queue_size = parse.GetValue(queue), device = resolvedDevice, tensorboard_freq = parse.GetValue(tensorboardFreq)!, seed = parse.GetValue(seed),
                feature_size = parse.GetValue(featureSize), report_dir = parse.GetValue(report),
                precision = parse.GetValue(precision)!,
            };
            using var interruption = Interruption.Listen();
            Run(options, dataset, Console.WriteLine, interruption.Token);
            return interruption.Finish();
        }));
        return command;
    }

    /// <summary>Creates the dataset's generators and trains through a <see cref="TrainingSession"/>.</summary>
    public static TrainingResult Run(TrainingOptions options, DatasetArguments.Dataset dataset, Action<string> print, CancellationToken cancel = default)
    {
        TrainingPreflight.CheckOptions(options);
        var session = new TrainingSession(options with { dataset_type = dataset.type }, print);
        var train = DatasetArguments.Create(dataset, "train", session.generator_options(training: true))!;
        var validation = DatasetArguments.Create(dataset, "validation", session.generator_options(training: false));
        TrainingPreflight.CheckImages(train, "training");
        if (!options.no_evaluation || options.compute_val_loss) TrainingPreflight.CheckImages(validation, "validation");
        return session.train_with_progress(train, validation, cancel);
    }
}
