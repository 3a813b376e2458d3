using System.Text.Json;
using System.Text.Json.Serialization;
using RetinaNet.Train.Utils;

namespace RetinaNet.Train.Training;

/// <summary>
/// What a snapshot does not hold but an uninterrupted run would still know after its epoch: the data stream's
/// position and seed, the learning rate after the epoch's callbacks, and the ReduceLROnPlateau and EarlyStopping
/// counters. Written beside each snapshot as <c>{snapshot}.state.json</c> (Keras never reads it, so the snapshot stays
/// a plain Keras file); <c>train --snapshot</c> reads it to continue bit for bit where the run stopped.
/// </summary>
/// <param name="epoch">Epochs completed (the snapshot's 1-based number).</param>
/// <param name="global_step">Batches trained so far: where the data stream continues.</param>
/// <param name="steps">Batches per epoch of that run.</param>
/// <param name="seed">The training generator's seed (data order and augmentation).</param>
/// <param name="lr">The learning rate the next epoch uses.</param>
/// <param name="reduce_lr">ReduceLROnPlateau's best, wait and cooldown counter.</param>
/// <param name="early_stopping">EarlyStopping's best, wait and best epoch, when it ran.</param>
/// <param name="backbone">The <c>--backbone</c> of that run.</param>
public sealed record TrainingState(int epoch, long global_step, int steps, int seed, double lr,
    TrainingState.Plateau reduce_lr, TrainingState.Plateau? early_stopping, string? backbone = null)
{
    /// <summary>A plateau callback's counters.</summary>
    public sealed record Plateau(double best, int wait, int counter);

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The state file of a snapshot.</summary>
    public static string PathFor(string snapshot) => snapshot + ".state.json";

    /// <summary>Writes the state beside <paramref name="snapshot"/> (temporary file, then rename).</summary>
    public void write(string snapshot) => AtomicFile.WriteAllText(PathFor(snapshot), JsonSerializer.Serialize(this, Json));

    /// <summary>The state saved beside <paramref name="snapshot"/>, or null when there is none (e.g. a file from Python).</summary>
    public static TrainingState? read(string snapshot)
    {
        var path = PathFor(snapshot);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException("the file is empty");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or NotSupportedException)
        {
            throw new InvalidDataException($"{path}: not a training state file ({e.Message}). Delete it to resume without it.", e);
        }
    }
}
