using System.Diagnostics;
using RetinaNet.Core;

namespace RetinaNet.Train.Callbacks;

/// <summary>
/// Stops training once a wall-clock budget is spent (checked after every batch) and, optionally, decays the
/// learning rate along a cosine over that budget: <c>lr = lr0 · (0.5 · (1 + cos(π · t / T)))</c>, floored at
/// <c>min_fraction · lr0</c>. Used by the demo, which trains for minutes rather than epochs.
/// </summary>
public sealed class TimeBudgetCallback(TimeSpan budget, bool cosine_decay = true, double min_fraction = 0.02) : Callback
{
    readonly Stopwatch clock = new();
    double initialLr;

    /// <summary>Seconds spent since training began.</summary>
    public double elapsed_seconds => clock.Elapsed.TotalSeconds;

    /// <summary>True once the budget ran out.</summary>
    public bool exhausted { get; private set; }

    /// <inheritdoc/>
    public override void on_train_begin(Dictionary<string, double> logs)
    {
        clock.Start();
        initialLr = model.optimizer?.learning_rate ?? 0;
    }

    /// <inheritdoc/>
    public override void on_train_batch_end(int batch, Dictionary<string, double> logs)
    {
        var fraction = Math.Min(1.0, clock.Elapsed / budget);
        if (cosine_decay && model.optimizer is not null)
            model.optimizer.learning_rate = initialLr * Math.Max(min_fraction, 0.5 * (1 + Math.Cos(Math.PI * fraction)));
        if (fraction >= 1.0)
        {
            exhausted = true;
            model.stop_training = true;
        }
    }
}
