using RetinaNet.Core;
using RetinaNet.Train.Training;

namespace RetinaNet.Train.Callbacks;

/// <summary>
/// Writes a <see cref="TrainingState"/> beside each snapshot once every other callback has finished the epoch (so
/// the learning rate and plateau counters are the ones the next epoch starts from). Runs last.
/// </summary>
/// <param name="snapshots">The snapshot callback whose files get a state.</param>
/// <param name="steps">Batches per epoch.</param>
/// <param name="initial_step">Batches already trained when this run began.</param>
/// <param name="initial_epoch">The epoch this run began at.</param>
/// <param name="seed">The training generator's seed.</param>
/// <param name="reduce_lr">The run's ReduceLROnPlateau.</param>
/// <param name="early_stopping">The run's EarlyStopping, if any.</param>
public sealed class TrainingStateCallback(SnapshotCallback snapshots, int steps, long initial_step, int initial_epoch, int seed,
    ReduceLROnPlateau reduce_lr, EarlyStopping? early_stopping) : Callback
{
    /// <inheritdoc/>
    public override void on_epoch_end(int epoch, Dictionary<string, double> logs)
    {
        var path = snapshots.PathFor(epoch);
        if (snapshots.last_snapshot != path) return; // no snapshot this epoch (diverged)
        var state = new TrainingState(epoch + 1, initial_step + (long)(epoch + 1 - initial_epoch) * steps, steps, seed,
            model.optimizer?.learning_rate ?? double.NaN,
            new TrainingState.Plateau(reduce_lr.best, reduce_lr.wait, reduce_lr.cooldown_counter),
            early_stopping is null ? null : new TrainingState.Plateau(early_stopping.best, early_stopping.wait, early_stopping.best_epoch),
            snapshots.backbone_name);
        state.write(path);
    }
}
