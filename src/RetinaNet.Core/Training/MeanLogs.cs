namespace RetinaNet.Core;

/// <summary>
/// Running means of batch logs over an epoch, each batch weighted by its number of samples (tf.keras updates its
/// <c>Mean</c> loss trackers with <c>sample_weight=batch_size</c>).
/// </summary>
internal sealed class MeanLogs
{
    readonly Dictionary<string, (double total, double count)> sums = new();

    /// <summary>Adds one batch's values.</summary>
    public void Add(IReadOnlyDictionary<string, double> values, long batch_size)
    {
        foreach (var (key, value) in values)
        {
            sums.TryGetValue(key, out var s);
            sums[key] = (s.total + value * batch_size, s.count + batch_size);
        }
    }

    /// <summary>The means so far, in the order keys first appeared.</summary>
    public Dictionary<string, double> Result() => sums.ToDictionary(kv => kv.Key, kv => kv.Value.total / kv.Value.count);
}
