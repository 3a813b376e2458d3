using RetinaNet.Core;
using RetinaNet.Layers;
using RetinaNet.Layers.Utils;
using RetinaNet.Train.Callbacks;
using RetinaNet.Train.Preprocessing;
using RetinaNet.Train.Utils;
using Spectre.Console;
using Generator = RetinaNet.Train.Preprocessing.Generator;

namespace RetinaNet.Train.Training;

/// <summary>
/// The wiring between bound options and <see cref="RetinaNetTrainer"/>, in one place for the <c>train</c> command, the
/// demo, notebooks and tests: the backbone (<see cref="TrainingOptions.backbone"/>), the anchors of the
/// <c>--config</c> file, the generators' options (batching, <see cref="TrainingOptions.image_sizing"/>, augmentation,
/// the backbone's normalisation) and the run itself with Ctrl+C and progress.
/// </summary>
public sealed class TrainingSession
{
    /// <summary>Resolves the backbone and reads the anchor config of <paramref name="options"/>.</summary>
    /// <remarks>
    /// Resuming from a snapshot that has a <see cref="TrainingState"/> beside it continues that run: its seed (unless
    /// <c>--seed</c> is given), its epoch (unless <c>--initial-epoch</c> is), its data position, learning rate and
    /// plateau counters, so the result equals an uninterrupted run.
    /// </remarks>
    public TrainingSession(TrainingOptions options, Action<string>? print = null)
    {
        this.print = print ?? Console.WriteLine;
        this.options = Resume(options, this.print);
        backbone = models.backbone(options.backbone);
        anchors = ConfigFile.read_anchor_config(options.config);
        torchvision = options.snapshot is string snapshot && File.Exists(snapshot) && Layers.TorchVision.TorchVisionRetinaNet.IsTorchVisionFile(snapshot);
    }

    /// <summary>Whether the snapshot is a converted torchvision RetinaNet (its images are normalised as torchvision's).</summary>
    readonly bool torchvision;

    readonly Action<string> print;

    static TrainingOptions Resume(TrainingOptions options, Action<string> print)
    {
        if (options.snapshot is null || options.resume_state is not null) return options;
        var state = TrainingState.read(options.snapshot);
        if (state is null)
        {
            if (options.initial_epoch > 0)
                print($"No training state beside {options.snapshot}: resuming at epoch {options.initial_epoch} with a fresh learning-rate schedule.");
            return options;
        }
        options = options with
        {
            resume_state = state, seed = options.seed ?? state.seed,
            initial_epoch = options.initial_epoch == 0 ? state.epoch : options.initial_epoch,
        };
        if (options.initial_epoch >= options.epochs)
            throw new ArgumentException($"--snapshot {options.snapshot} has trained {state.epoch} epochs already; --epochs {options.epochs} leaves none to train. Raise --epochs.");
        print($"Resuming after epoch {state.epoch} (batch {state.global_step}, learning rate {state.lr.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)}) from {TrainingState.PathFor(options.snapshot)}.");
        return options;
    }

    /// <summary>The options being trained with.</summary>
    public TrainingOptions options { get; }

    /// <summary>The backbone named by <see cref="TrainingOptions.backbone"/>.</summary>
    public Backbone backbone { get; }

    /// <summary>The anchors of <see cref="TrainingOptions.config"/> (defaults without one).</summary>
    public AnchorConfig anchors { get; }

    /// <summary>The same session with changed options (e.g. steps known once the generators exist).</summary>
    public TrainingSession with_options(Func<TrainingOptions, TrainingOptions> change) => new(change(options), print);

    /// <summary>
    /// Generator options for the training split (with augmentation: <see cref="Augmentation.training"/>) or the
    /// validation split (unshuffled): batch size, grouping, image sizing, the backbone's normalisation, seed, warnings.
    /// </summary>
    public GeneratorOptions generator_options(bool training)
    {
        var mode = torchvision ? "torchvision" : backbone.preprocess_mode;
        var common = new GeneratorOptions
        {
            batch_size = options.batch_size, group_method = options.group_method, image_sizing = options.image_sizing,
            preprocess_image = x => ImagePreprocessing.preprocess_image(x, mode), seed = options.seed, warning_sink = print,
        };
        if (!training) return common with { shuffle_groups = false };
        var (transform, visual) = Augmentation.training(options.random_transform);
        return common with { transform_generator = transform, visual_effect_generator = visual };
    }

    /// <summary>
    /// Trains on the generators (<see cref="RetinaNetTrainer.train"/> with this session's anchors); Ctrl+C through
    /// <paramref name="cancel"/> stops after the current batch. <paramref name="extra_callbacks"/> run first.
    /// </summary>
    public TrainingResult train(Generator train_generator, Generator? validation_generator,
        Func<RetinaNetModels, IEnumerable<Callback>>? extra_callbacks = null, CancellationToken cancel = default)
    {
        if (!options.backbone.Contains("resnet"))
            print($"Using experimental backbone {options.backbone}. Only resnet50 has been properly tested.");
        return RetinaNetTrainer.train(backbone, train_generator, validation_generator, options,
            extra_callbacks: m => new Callback[] { new StopRequestCallback(cancel) }.Concat(extra_callbacks?.Invoke(m) ?? Enumerable.Empty<Callback>()),
            print: print, anchors: anchors);
    }

    /// <summary>
    /// <see cref="train"/> with progress: a live bar in an interactive terminal, plain lines (<see cref="ProgressLogger"/>)
    /// when the output is redirected or printed elsewhere (tests); prints the last snapshot.
    /// </summary>
    public TrainingResult train_with_progress(Generator train_generator, Generator? validation_generator, CancellationToken cancel = default)
    {
        TrainingResult Train(Callback progress) => train(train_generator, validation_generator, _ => new[] { progress }, cancel);
        var interactive = !Console.IsOutputRedirected && print == Console.WriteLine && AnsiConsole.Profile.Capabilities.Interactive;
        var result = interactive
            ? AnsiConsole.Progress().AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(context => Train(new SpectreProgressCallback(context)))
            : Train(new ProgressLogger(print));
        if (result.last_snapshot is not null) print($"Last snapshot: {result.last_snapshot}");
        return result;
    }
}
