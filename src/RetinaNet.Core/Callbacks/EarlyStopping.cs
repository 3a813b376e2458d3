using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// Stops training when <see cref="monitor"/> has not improved by at least <see cref="min_delta"/> for
/// <see cref="patience"/> epochs (tf.keras 2 rules). With <see cref="baseline"/>, the wait only resets on
/// improvements that also beat the baseline. With <see cref="restore_best_weights"/>, the weights of the best
/// epoch are put back when training stops.
/// </summary>
public class EarlyStopping : Callback
{
    readonly bool higherIsBetter;
    List<Tensor>? best_weights;

    /// <summary>Creates the callback (Keras arguments and defaults).</summary>
    /// <param name="monitor">Log key to watch.</param>
    /// <param name="min_delta">Smallest change that counts as an improvement (its sign is ignored).</param>
    /// <param name="patience">Epochs without improvement before stopping.</param>
    /// <param name="verbose">1 prints when stopping and restoring.</param>
    /// <param name="mode"><c>min</c>, <c>max</c>, or <c>auto</c> (max for keys ending in acc, accuracy or auc).</param>
    /// <param name="baseline">A value the monitor must beat for the wait to reset.</param>
    /// <param name="restore_best_weights">Whether to restore the best epoch's weights on stopping.</param>
    /// <param name="start_from_epoch">Epochs to let pass before watching.</param>
    public EarlyStopping(string monitor = "val_loss", double min_delta = 0, int patience = 0, int verbose = 0,
        string mode = "auto", double? baseline = null, bool restore_best_weights = false, int start_from_epoch = 0)
    {
        if (mode is not ("auto" or "min" or "max"))
            throw new ArgumentException($"EarlyStopping mode '{mode}' is unknown; expected 'auto', 'min' or 'max'.");
        this.monitor = monitor;
        this.patience = patience;
        this.verbose = verbose;
        this.mode = mode;
        this.baseline = baseline;
        this.restore_best_weights = restore_best_weights;
        this.start_from_epoch = start_from_epoch;
        higherIsBetter = mode == "max" ||
            (mode == "auto" && (monitor.EndsWith("acc") || monitor.EndsWith("accuracy") || monitor.EndsWith("auc")));
        this.min_delta = Math.Abs(min_delta);
    }

    /// <summary>Log key watched.</summary>
    public string monitor { get; }
    /// <summary>Smallest improvement (absolute value).</summary>
    public double min_delta { get; }
    /// <summary>Epochs without improvement before stopping.</summary>
    public int patience { get; }
    /// <summary>Verbosity.</summary>
    public int verbose { get; }
    /// <summary>Direction of improvement.</summary>
    public string mode { get; }
    /// <summary>Value the monitor must beat to reset the wait, if any.</summary>
    public double? baseline { get; }
    /// <summary>Whether the best weights are restored on stopping.</summary>
    public bool restore_best_weights { get; }
    /// <summary>Epochs ignored at the start.</summary>
    public int start_from_epoch { get; }

    /// <summary>Epochs since the last improvement.</summary>
    public int wait { get; private set; }
    /// <summary>The epoch at which training was stopped (0 if it was not).</summary>
    public int stopped_epoch { get; private set; }
    /// <summary>Best value seen.</summary>
    public double best { get; private set; }
    /// <summary>Epoch of the best value.</summary>
    public int best_epoch { get; private set; }

    bool IsImprovement(double value, double reference) =>
        higherIsBetter ? value - min_delta > reference : value + min_delta < reference;

    /// <inheritdoc/>
    public override void on_train_begin(Dictionary<string, double> logs)
    {
        wait = 0;
        stopped_epoch = 0;
        best = higherIsBetter ? double.NegativeInfinity : double.PositiveInfinity;
        best_epoch = 0;
        ReplaceBestWeights(null);
        if (resumed is { } r) (best, wait, best_epoch) = r;
    }

    (double best, int wait, int best_epoch)? resumed;

    /// <summary>
    /// Continues an earlier run: <see cref="best"/>, <see cref="wait"/> and <see cref="best_epoch"/> start from these
    /// values when training begins, so a resumed run stops at the epoch an uninterrupted one would.
    /// </summary>
    public void resume(double best, int wait, int best_epoch) => resumed = (best, wait, best_epoch);

    /// <inheritdoc/>
    public override void on_epoch_end(int epoch, Dictionary<string, double> logs)
    {
        if (!logs.TryGetValue(monitor, out var current))
        {
            print_fn($"WARNING: Early stopping conditioned on metric `{monitor}` which is not available. " +
                     $"Available metrics are: {string.Join(",", logs.Keys)}");
            return;
        }
        if (epoch < start_from_epoch) return;
        if (restore_best_weights && best_weights is null) ReplaceBestWeights(model.get_weights());
        wait++;
        if (IsImprovement(current, best))
        {
            best = current;
            best_epoch = epoch;
            if (restore_best_weights) ReplaceBestWeights(model.get_weights());
            if (baseline is null || IsImprovement(current, baseline.Value)) wait = 0;
        }
        if (wait < patience || epoch == 0) return;
        stopped_epoch = epoch;
        model.stop_training = true;
        if (restore_best_weights && best_weights is not null)
        {
            if (verbose > 0) print_fn($"Restoring model weights from the end of the best epoch: {best_epoch + 1}.");
            model.set_weights(best_weights);
        }
    }

    /// <inheritdoc/>
    public override void on_train_end(Dictionary<string, double> logs)
    {
        if (stopped_epoch > 0 && verbose > 0) print_fn($"Epoch {stopped_epoch + 1}: early stopping");
        ReplaceBestWeights(null);
    }

    /// <summary>Keeps one copy of the best weights, freeing the previous one (native memory).</summary>
    void ReplaceBestWeights(List<Tensor>? weights)
    {
        if (best_weights is not null) foreach (var w in best_weights) w.Dispose();
        best_weights = weights;
    }
}
