using System.Globalization;
using RetinaNet.Core;

namespace RetinaNet.Train.Callbacks;

/// <summary>
/// Writes every epoch's logs as TensorBoard scalars (runs last, so it sees mAP and lr), and with an update frequency
/// of <c>batch</c> or N (keras-retinanet's <c>--tensorboard-freq</c>, Keras' <c>update_freq</c>) the batch losses
/// too, as <c>batch_{name}</c> at the global batch number.
/// </summary>
public sealed class TensorBoardCallback : Callback
{
    readonly TensorBoardEventWriter writer;
    readonly int? everyBatches;
    long batches;

    /// <summary>Creates the callback; <paramref name="update_freq"/> is <c>epoch</c>, <c>batch</c> or a positive integer.</summary>
    public TensorBoardCallback(TensorBoardEventWriter writer, string update_freq = "epoch")
    {
        this.writer = writer;
        everyBatches = ParseFrequency(update_freq);
    }

    /// <summary>
    /// Batches between writes for <c>--tensorboard-freq</c>: null for <c>epoch</c>, 1 for <c>batch</c>, N for an integer.
    /// </summary>
    /// <exception cref="ArgumentException">Any other value.</exception>
    public static int? ParseFrequency(string update_freq) => update_freq switch
    {
        "epoch" => null,
        "batch" => 1,
        _ when int.TryParse(update_freq, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 => n,
        _ => throw new ArgumentException($"--tensorboard-freq '{update_freq}': expected epoch, batch or a positive number of batches."),
    };

    /// <inheritdoc/>
    public override void on_train_batch_end(int batch, Dictionary<string, double> logs)
    {
        batches++;
        if (everyBatches is not int every || batches % every != 0) return;
        foreach (var (key, value) in logs)
            writer.Scalar($"batch_{key}", value, batches);
    }

    /// <inheritdoc/>
    public override void on_epoch_end(int epoch, Dictionary<string, double> logs)
    {
        foreach (var (key, value) in logs)
            if (key != "mAP") writer.Scalar(key, value, epoch);
        writer.Flush();
    }

    /// <inheritdoc/>
    public override void on_train_end(Dictionary<string, double> logs) => writer.Flush();
}
