namespace RetinaNet.Core;

/// <summary>Stops training as soon as a batch's loss is NaN or infinite (Keras' <c>TerminateOnNaN</c>).</summary>
public class TerminateOnNaN : Callback
{
    /// <inheritdoc/>
    public override void on_train_batch_end(int batch, Dictionary<string, double> logs)
    {
        if (!logs.TryGetValue("loss", out var loss) || double.IsFinite(loss)) return;
        print_fn($"Batch {batch}: Invalid loss, terminating training");
        model.stop_training = true;
    }
}
