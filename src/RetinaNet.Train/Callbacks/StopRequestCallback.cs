using RetinaNet.Core;

namespace RetinaNet.Train.Callbacks;

/// <summary>
/// Stops training at the end of the current batch when asked (Ctrl+C in the CLI); the epoch then ends normally,
/// so the snapshot callback still saves the model before the program exits.
/// </summary>
public sealed class StopRequestCallback(CancellationToken token) : Callback
{
    /// <inheritdoc/>
    public override void on_train_batch_end(int batch, Dictionary<string, double> logs)
    {
        if (token.IsCancellationRequested) model.stop_training = true;
    }
}
