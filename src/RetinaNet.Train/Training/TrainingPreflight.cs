using System.Globalization;
using RetinaNet.Core;
using Generator = RetinaNet.Train.Preprocessing.Generator;

namespace RetinaNet.Train.Training;

/// <summary>
/// Everything about a training run that can be wrong before it starts: option values, the files it reads and the
/// folders it writes, and every image of both splits. A mistake found after the first epoch costs that epoch; found
/// here, it costs nothing. Each problem is one <see cref="ArgumentException"/> naming the flag or file.
/// </summary>
public static class TrainingPreflight
{
    /// <summary>Checks option values and paths (before the generators and the model are made).</summary>
    public static void CheckOptions(TrainingOptions options)
    {
        static string F(double v) => v.ToString(CultureInfo.InvariantCulture);
        if (options.epochs < 1) throw new ArgumentException($"--epochs {options.epochs}: must be at least 1.");
        if (options.initial_epoch < 0 || options.initial_epoch > options.epochs)
            throw new ArgumentException($"--initial-epoch {options.initial_epoch}: must be between 0 and --epochs ({options.epochs}).");
        if (options.steps < 1) throw new ArgumentException($"--steps {options.steps}: must be at least 1.");
        if (options.batch_size < 1) throw new ArgumentException($"--batch-size {options.batch_size}: must be at least 1.");
        if (!(options.lr > 0) || !double.IsFinite(options.lr)) throw new ArgumentException($"--lr {F(options.lr)}: must be a positive number.");
        if (!(options.optimizer_clipnorm > 0) || !double.IsFinite(options.optimizer_clipnorm))
            throw new ArgumentException($"--optimizer-clipnorm {F(options.optimizer_clipnorm)}: must be a positive number.");
        if (!(options.reduce_lr_factor > 0 && options.reduce_lr_factor < 1))
            throw new ArgumentException($"--reduce-lr-factor {F(options.reduce_lr_factor)}: must be between 0 and 1 (exclusive).");
        if (options.reduce_lr_patience < 0) throw new ArgumentException($"--reduce-lr-patience {options.reduce_lr_patience}: must not be negative.");
        if (options.workers < 1) throw new ArgumentException($"--workers {options.workers}: must be at least 1.");
        if (options.max_queue_size < 1) throw new ArgumentException($"--max-queue-size {options.max_queue_size}: must be at least 1.");
        if (options.recipe.head_norm == "group" && options.snapshot is null && options.feature_size % 32 != 0)
            throw new ArgumentException($"--head-norm group: --feature-size {options.feature_size} must be a multiple of 32 (GroupNorm uses 32 groups).");
        if (!options.image_sizing.no_resize)
        {
            if (options.image_sizing.min_side < 1) throw new ArgumentException($"--image-min-side {options.image_sizing.min_side}: must be at least 1.");
            if (options.image_sizing.max_side < 1) throw new ArgumentException($"--image-max-side {options.image_sizing.max_side}: must be at least 1.");
        }

        foreach (var (flag, file) in new[] { ("--snapshot", options.snapshot), ("--weights", options.weights), ("--config", options.config) })
            if (file is not null && !File.Exists(file))
                throw new ArgumentException(Directory.Exists(file) ? $"{flag} {file}: is a folder, not a file." : $"{flag} {file}: no such file.");

        if (!options.no_snapshots) CheckWritableFolder("--snapshot-path", options.snapshot_path);
        if (options.log_dir is string logs) CheckWritableFolder("the log folder", logs);
        else if (options.no_snapshots) CheckWritableFolder("--snapshot-path (where training_log.csv goes)", options.snapshot_path);
        if (!string.IsNullOrEmpty(options.tensorboard_dir)) CheckWritableFolder("--tensorboard-dir", options.tensorboard_dir);
    }

    /// <summary>Checks that every image of the generator exists, naming the first missing one and its split.</summary>
    public static void CheckImages(Generator? generator, string split)
    {
        if (generator is null) return;
        for (int i = 0; i < generator.size(); i++)
        {
            var path = generator.image_path(i);
            if (!File.Exists(path))
                throw new ArgumentException($"The {split} set's image {i} does not exist: {path}");
        }
    }

    /// <summary>Creates the folder if needed and writes (then removes) a temporary file in it.</summary>
    static void CheckWritableFolder(string what, string folder)
    {
        if (File.Exists(folder)) throw new ArgumentException($"{what} {folder}: is a file; it must be a folder.");
        try
        {
            Directory.CreateDirectory(folder);
            var probe = TemporaryFiles.For(Path.Combine(folder, "write-check"));
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{what} {folder}: cannot write there ({e.Message}).");
        }
    }
}
