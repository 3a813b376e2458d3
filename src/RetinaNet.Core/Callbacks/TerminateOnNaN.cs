namespace RetinaNet.Core;

/// <summary>Stops training as soon as a batch's loss is NaN or infinite (Keras' <c>TerminateOnNaN</c>).</summary>
public class TerminateOnNaN : Callback
{
    int epoch;

    /// <summary>(epoch, batch), both 0-based, of the batch whose loss was not finite; null while training is sound.</summary>
    public (int epoch, int batch)? terminated_at { get; private set; }

    /// <inheritdoc/>
    public override void on_epoch_begin(int epoch, Dictionary<string, double> logs) => this.epoch = epoch;

    /// <inheritdoc/>
    public override void on_train_batch_end(int batch, Dictionary<string, double> logs)
    {
        if (!logs.TryGetValue("loss", out var loss) || double.IsFinite(loss)) return;
        print_fn($"Batch {batch}: Invalid loss, terminating training");
        terminated_at = (epoch, batch);
        model.stop_training = true;
    }
}
