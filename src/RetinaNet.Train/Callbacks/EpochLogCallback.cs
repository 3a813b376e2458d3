using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Train.Utils;

namespace RetinaNet.Train.Callbacks;

/// <summary>
/// Appends every epoch's logs (losses, mAP, learning rate, elapsed seconds) to <c>training_log.csv</c> and rewrites
/// <c>training_log.json</c>; both are replaced atomically so a reader never sees half a file. A run resumed at
/// <paramref name="initial_epoch"/> keeps the earlier run's rows up to that epoch (and its elapsed seconds) and
/// appends its own.
/// </summary>
public sealed class EpochLogCallback(string folder, int initial_epoch = 0) : Callback
{
    readonly List<Dictionary<string, double>> epochs = new();
    readonly System.Diagnostics.Stopwatch clock = new();
    double secondsBefore;

    /// <summary>The CSV file's path.</summary>
    public string csv_path => Path.Combine(folder, "training_log.csv");

    /// <summary>The JSON file's path.</summary>
    public string json_path => Path.Combine(folder, "training_log.json");

    /// <inheritdoc/>
    public override void on_train_begin(Dictionary<string, double> logs)
    {
        epochs.Clear();
        if (initial_epoch > 0 && File.Exists(json_path))
        {
            epochs.AddRange(ReadRows(json_path).Where(row => row.GetValueOrDefault("epoch") <= initial_epoch));
            secondsBefore = epochs.Count > 0 ? epochs[^1].GetValueOrDefault("seconds") : 0;
        }
        clock.Start();
    }

    /// <summary>The rows of a training_log.json (null values, i.e. non-finite ones, as NaN).</summary>
    static IEnumerable<Dictionary<string, double>> ReadRows(string path)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: cannot append to it, it is not a training log ({e.Message}).", e); }
        foreach (var row in root?.AsArray() ?? new JsonArray())
            if (row is JsonObject o)
                yield return o.ToDictionary(p => p.Key, p => p.Value is JsonValue v && v.TryGetValue<double>(out var d) ? d : double.NaN);
    }

    /// <inheritdoc/>
    public override void on_epoch_end(int epoch, Dictionary<string, double> logs)
    {
        var row = new Dictionary<string, double>(logs) { ["epoch"] = epoch + 1, ["seconds"] = secondsBefore + clock.Elapsed.TotalSeconds };
        if (!row.ContainsKey("lr")) row["lr"] = model.optimizer?.learning_rate ?? double.NaN;
        epochs.Add(row);
        Directory.CreateDirectory(folder);

        var keys = epochs.SelectMany(e => e.Keys).Distinct().OrderBy(k => k == "epoch" ? 0 : 1).ThenBy(k => k, StringComparer.Ordinal).ToList();
        var lines = new List<string> { string.Join(",", keys) };
        lines.AddRange(epochs.Select(e => string.Join(",", keys.Select(k =>
            e.TryGetValue(k, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : ""))));
        AtomicFile.WriteAllText(csv_path, string.Join("\n", lines) + "\n");

        var json = new JsonArray(epochs.Select(e => (JsonNode)new JsonObject(e.Select(p =>
            KeyValuePair.Create(p.Key, (JsonNode?)(double.IsFinite(p.Value) ? JsonValue.Create(p.Value) : null))))).ToArray());
        AtomicFile.WriteAllText(json_path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
