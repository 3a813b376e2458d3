using System.Globalization;
using RetinaNet.Core;
using Spectre.Console;

namespace RetinaNet.Train.Callbacks;

/// <summary>
/// A Spectre.Console progress bar per epoch with the running losses and the time left, for interactive terminals
/// (the CLI falls back to <see cref="ProgressLogger"/>'s plain lines when the output is redirected).
/// </summary>
public sealed class SpectreProgressCallback(ProgressContext context) : Callback
{
    ProgressTask? task;

    /// <inheritdoc/>
    public override void on_epoch_begin(int epoch, Dictionary<string, double> logs)
    {
        task = context.AddTask($"Epoch {epoch + 1}/{fit_params.epochs}", maxValue: fit_params.steps ?? 1);
    }

    /// <inheritdoc/>
    public override void on_train_batch_end(int batch, Dictionary<string, double> logs)
    {
        if (task is null) return;
        task.Value = batch + 1;
        task.Description = $"Epoch {task.Description.Split(' ')[1]} " + Markup.Escape(Format(logs));
    }

    /// <inheritdoc/>
    public override void on_epoch_end(int epoch, Dictionary<string, double> logs)
    {
        if (task is null) return;
        task.Description = $"Epoch {epoch + 1}/{fit_params.epochs} " + Markup.Escape(Format(logs));
        task.StopTask();
    }

    static string Format(Dictionary<string, double> logs) =>
        string.Join(" ", logs.Where(p => p.Key.EndsWith("loss", StringComparison.Ordinal) || p.Key == "mAP")
            .Select(p => $"{p.Key}: {p.Value.ToString("0.0000", CultureInfo.InvariantCulture)}"));
}
