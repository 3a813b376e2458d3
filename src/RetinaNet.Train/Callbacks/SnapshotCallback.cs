using System.Globalization;
using RetinaNet.Core;

namespace RetinaNet.Train.Callbacks;

/// <summary>
/// Saves the training model after every epoch as <c>{backbone}_{dataset}_{epoch:02}.h5</c> (1-based epoch, as
/// keras-retinanet's ModelCheckpoint names them). <c>model.save</c> writes a temporary file and renames it, so an
/// interrupted save never damages an earlier snapshot.
/// </summary>
public sealed class SnapshotCallback(Model training_model, string folder, string backbone, string dataset_type) : Callback
{
    /// <summary>The path of the snapshot after epoch <paramref name="epoch"/> (0-based).</summary>
    public string PathFor(int epoch) =>
        Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{backbone}_{dataset_type}_{epoch + 1:00}.h5"));

    /// <summary>The backbone name in the snapshots' file names.</summary>
    public string backbone_name => backbone;

    /// <summary>The last snapshot written, if any.</summary>
    public string? last_snapshot { get; private set; }

    /// <inheritdoc/>
    public override void on_epoch_end(int epoch, Dictionary<string, double> logs)
    {
        // Keras' ModelCheckpoint saves even after TerminateOnNaN; a diverged model would overwrite nothing useful and
        // could be resumed from by mistake, so an epoch with a non-finite loss or weights is never saved.
        if (logs.TryGetValue("loss", out var loss) && !double.IsFinite(loss))
        {
            print_fn($"Epoch {epoch + 1:00}: the loss is {loss.ToString(CultureInfo.InvariantCulture)}; not saving a snapshot.");
            return;
        }
        KerasVariable? bad;
        using (TorchSharp.torch.NewDisposeScope()) // keeps the check's temporaries alive while libtorch uses them
            bad = training_model.weights.FirstOrDefault(w => !w.value.isfinite().all().item<bool>());
        if (bad is not null)
        {
            print_fn($"Epoch {epoch + 1:00}: weight '{bad.name}' holds NaN or infinite values; not saving a snapshot.");
            return;
        }
        Directory.CreateDirectory(folder);
        var path = PathFor(epoch);
        training_model.save(path);
        last_snapshot = path;
        print_fn($"Epoch {epoch + 1:00}: saving model to {path}");
    }
}
