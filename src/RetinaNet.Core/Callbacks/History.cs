namespace RetinaNet.Core;

/// <summary>
/// Records each epoch's logs; <c>fit</c> always adds one (last, so it sees what other callbacks added) and
/// returns it. <c>history["loss"][i]</c> is the loss of <c>epoch[i]</c>.
/// </summary>
public class History : Callback
{
    /// <summary>The epochs seen, 0-based.</summary>
    public List<int> epoch { get; private set; } = new();

    /// <summary>Each log key's values, one per epoch.</summary>
    public Dictionary<string, List<double>> history { get; private set; } = new();

    /// <inheritdoc/>
    public override void on_train_begin(Dictionary<string, double> logs)
    {
        epoch = new List<int>();
        history = new Dictionary<string, List<double>>();
    }

    /// <inheritdoc/>
    public override void on_epoch_end(int epoch, Dictionary<string, double> logs)
    {
        this.epoch.Add(epoch);
        foreach (var (key, value) in logs)
        {
            if (!history.TryGetValue(key, out var values)) history[key] = values = new List<double>();
            values.Add(value);
        }
    }
}
