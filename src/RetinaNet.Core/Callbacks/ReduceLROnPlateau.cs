using System.Globalization;

namespace RetinaNet.Core;

/// <summary>
/// Multiplies the learning rate by <see cref="factor"/> when <see cref="monitor"/> has not improved by more than
/// <see cref="min_delta"/> for <see cref="patience"/> epochs, then waits <see cref="cooldown"/> epochs before
/// counting again; never goes below <see cref="min_lr"/>. Adds the current rate to the epoch logs as <c>lr</c>.
/// Same defaults and rules as Keras.
/// </summary>
public class ReduceLROnPlateau : Callback
{
    Func<double, double, bool> improves = (a, b) => false;

    /// <summary>Creates the callback (Keras arguments and defaults).</summary>
    /// <param name="monitor">Log key to watch.</param>
    /// <param name="factor">Multiplier of the learning rate, below 1.</param>
    /// <param name="patience">Epochs without improvement before a reduction.</param>
    /// <param name="verbose">1 prints a line on each reduction.</param>
    /// <param name="mode"><c>min</c>, <c>max</c>, or <c>auto</c> (max when the key contains "acc").</param>
    /// <param name="min_delta">Smallest change that counts as an improvement.</param>
    /// <param name="cooldown">Epochs after a reduction during which no waiting is counted.</param>
    /// <param name="min_lr">Lower bound of the learning rate.</param>
    public ReduceLROnPlateau(string monitor = "val_loss", double factor = 0.1, int patience = 10, int verbose = 0,
        string mode = "auto", double min_delta = 1e-4, int cooldown = 0, double min_lr = 0)
    {
        if (factor >= 1.0) throw new ArgumentException("ReduceLROnPlateau does not support a factor >= 1.0.");
        if (mode is not ("auto" or "min" or "max"))
            throw new ArgumentException($"ReduceLROnPlateau mode '{mode}' is unknown; expected 'auto', 'min' or 'max'.");
        this.monitor = monitor;
        this.factor = factor;
        this.patience = patience;
        this.verbose = verbose;
        this.mode = mode;
        this.min_delta = min_delta;
        this.cooldown = cooldown;
        this.min_lr = min_lr;
        Reset();
    }

    /// <summary>Log key watched.</summary>
    public string monitor { get; }
    /// <summary>Multiplier applied on a plateau.</summary>
    public double factor { get; }
    /// <summary>Epochs without improvement before reducing.</summary>
    public int patience { get; }
    /// <summary>Verbosity.</summary>
    public int verbose { get; }
    /// <summary>Direction of improvement.</summary>
    public string mode { get; }
    /// <summary>Smallest change that counts as an improvement.</summary>
    public double min_delta { get; }
    /// <summary>Epochs to wait after a reduction.</summary>
    public int cooldown { get; }
    /// <summary>Lower bound of the learning rate.</summary>
    public double min_lr { get; }

    /// <summary>Best value seen.</summary>
    public double best { get; private set; }
    /// <summary>Epochs since the last improvement.</summary>
    public int wait { get; private set; }
    /// <summary>Cooldown epochs left.</summary>
    public int cooldown_counter { get; private set; }

    void Reset()
    {
        if (mode == "min" || (mode == "auto" && !monitor.Contains("acc")))
        {
            improves = (current, best) => current < best - min_delta;
            best = double.PositiveInfinity;
        }
        else
        {
            improves = (current, best) => current > best + min_delta;
            best = double.NegativeInfinity;
        }
        cooldown_counter = 0;
        wait = 0;
        if (resumed is { } r) (best, wait, cooldown_counter) = r;
    }

    (double best, int wait, int cooldown_counter)? resumed;

    /// <summary>
    /// Continues an earlier run's schedule: <see cref="best"/>, <see cref="wait"/> and <see cref="cooldown_counter"/>
    /// start from these values instead of their defaults when training begins (what a resumed run needs to reduce the
    /// learning rate at the same epochs as an uninterrupted one).
    /// </summary>
    public void resume(double best, int wait, int cooldown_counter) => resumed = (best, wait, cooldown_counter);

    /// <inheritdoc/>
    public override void on_train_begin(Dictionary<string, double> logs) => Reset();

    /// <inheritdoc/>
    public override void on_epoch_end(int epoch, Dictionary<string, double> logs)
    {
        var optimizer = model.optimizer ?? throw new InvalidOperationException("ReduceLROnPlateau needs a compiled model.");
        logs["lr"] = optimizer.learning_rate;
        if (!logs.TryGetValue(monitor, out var current))
        {
            print_fn($"WARNING: Learning rate reduction is conditioned on metric `{monitor}` which is not available. " +
                     $"Available metrics are: {string.Join(",", logs.Keys)}");
            return;
        }
        if (cooldown_counter > 0)
        {
            cooldown_counter--;
            wait = 0;
        }
        if (improves(current, best))
        {
            best = current;
            wait = 0;
        }
        else if (cooldown_counter == 0)
        {
            wait++;
            if (wait < patience) return;
            var old_lr = optimizer.learning_rate;
            // Keras compares in float32, the type of its learning-rate variable.
            if ((float)old_lr <= (float)min_lr) return;
            var new_lr = Math.Max(old_lr * factor, min_lr);
            optimizer.learning_rate = new_lr;
            if (verbose > 0)
                print_fn($"Epoch {epoch + 1:00000}: ReduceLROnPlateau reducing learning rate to {new_lr.ToString(CultureInfo.InvariantCulture).ToLowerInvariant()}.");
            cooldown_counter = cooldown;
            wait = 0;
        }
    }
}
