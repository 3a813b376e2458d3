using RetinaNet.Core;

namespace RetinaNet.Train.Callbacks;

/// <summary>Writes every epoch's logs as TensorBoard scalars (runs last, so it sees mAP and lr).</summary>
public sealed class TensorBoardCallback(TensorBoardEventWriter writer) : Callback
{
    /// <inheritdoc/>
    public override void on_epoch_end(int epoch, Dictionary<string, double> logs)
    {
        foreach (var (key, value) in logs)
            if (key != "mAP" && !CocoEvalCallback.IsCocoTag(key)) writer.Scalar(key, value, epoch);
        writer.Flush();
    }

    /// <inheritdoc/>
    public override void on_train_end(Dictionary<string, double> logs) => writer.Flush();
}
