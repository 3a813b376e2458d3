using System.Diagnostics;
using System.Globalization;

namespace RetinaNet.Core;

/// <summary>
/// Prints one line per epoch, e.g. <c>Epoch 3/10 - 12s - loss: 0.4321 - val_loss: 0.5000</c>. <c>fit</c> adds one
/// when <c>verbose</c> is not 0 and no callback given to it is a ProgressLogger, so a richer display
/// (a progress bar) replaces this one by subclassing it and being passed in the callbacks.
/// </summary>
public class ProgressLogger : Callback
{
    readonly Stopwatch watch = new();

    /// <summary>Creates the logger; messages go to <paramref name="print_fn"/> (Console by default).</summary>
    public ProgressLogger(Action<string>? print_fn = null)
    {
        if (print_fn is not null) this.print_fn = print_fn;
    }

    /// <inheritdoc/>
    public override void on_epoch_begin(int epoch, Dictionary<string, double> logs) => watch.Restart();

    /// <inheritdoc/>
    public override void on_epoch_end(int epoch, Dictionary<string, double> logs) =>
        print_fn($"Epoch {epoch + 1}/{fit_params.epochs} - {watch.Elapsed.TotalSeconds:0}s{FormatLogs(logs)}");

    /// <summary>Keras' progress bar formatting: <c> - key: value</c>, 4 decimals, or scientific below 1e-3.</summary>
    protected static string FormatLogs(IReadOnlyDictionary<string, double> logs) =>
        string.Concat(logs.Select(kv => $" - {kv.Key}: {FormatValue(kv.Value)}"));

    /// <summary>One value the way Keras' progress bar prints it.</summary>
    protected static string FormatValue(double value) =>
        Math.Abs(value) > 1e-3
            ? value.ToString("0.0000", CultureInfo.InvariantCulture)
            : value.ToString("0.0000e+00", CultureInfo.InvariantCulture);
}
