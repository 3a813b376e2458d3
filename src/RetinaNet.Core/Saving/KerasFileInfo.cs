using System.Text.Json;
using System.Text.Json.Nodes;
using PureHDF;

namespace RetinaNet.Core;

/// <summary>One layer as a Keras file describes it, read without building the model.</summary>
/// <param name="class_name">The class named in the config.</param>
/// <param name="name">The layer's name.</param>
/// <param name="parameters">Scalars stored for it in <c>model_weights</c>.</param>
/// <param name="config">Its config entry.</param>
public sealed record KerasFileLayer(string class_name, string name, long parameters, JsonObject config);

/// <summary>
/// What a Keras <c>.h5</c> file holds, read from its attributes and weight groups without building the model
/// (so classes the program does not know can still be listed): Keras version, backend, model class, layers,
/// whether a training configuration and optimizer state are present.
/// </summary>
public sealed class KerasFileInfo
{
    /// <summary>Keras version that wrote the file.</summary>
    public string? keras_version { get; private init; }
    /// <summary>Backend name.</summary>
    public string? backend { get; private init; }
    /// <summary>The model's class (Functional, Model, Sequential), or null for a weights-only file.</summary>
    public string? model_class { get; private init; }
    /// <summary>The model's name.</summary>
    public string? model_name { get; private init; }
    /// <summary>Layers in config order (for a weights-only file: the saved layer names with class "?").</summary>
    public IReadOnlyList<KerasFileLayer> layers { get; private init; } = Array.Empty<KerasFileLayer>();
    /// <summary>Names of the output layers.</summary>
    public IReadOnlyList<string> output_names { get; private init; } = Array.Empty<string>();
    /// <summary>True when the file has a training configuration.</summary>
    public bool has_training_config { get; private init; }
    /// <summary>True when the file has optimizer state.</summary>
    public bool has_optimizer_weights { get; private init; }
    /// <summary>The parsed model config, or null.</summary>
    public JsonObject? model_config { get; private init; }

    /// <summary>Reads a file; problems raise <see cref="KerasFileException"/>.</summary>
    public static KerasFileInfo Read(string path)
    {
        using var file = H5Guard.Open(path);
        return H5Guard.Run(path, () =>
        {
            var root = file.File;
            var configText = H5Strings.ReadString(root, "model_config", file.Length);
            IH5Group weights = root.LinkExists("model_weights") ? root.Group("model_weights") : root;
            var version = H5Strings.ReadString(root, "keras_version", file.Length) ?? H5Strings.ReadString(weights, "keras_version", file.Length);
            var backend = H5Strings.ReadString(root, "backend", file.Length) ?? H5Strings.ReadString(weights, "backend", file.Length);
            var counts = ParameterCounts(weights, file.Length);
            JsonObject? config = null;
            if (configText is not null)
            {
                try { config = JsonNode.Parse(configText) as JsonObject; }
                catch (JsonException e) { throw new KerasFileException(path, $"model_config in '{path}' is not valid JSON: {e.Message}"); }
            }
            var layers = new List<KerasFileLayer>();
            var outputs = new List<string>();
            string? modelClass = null, modelName = null;
            if (config is not null)
            {
                modelClass = config["class_name"]?.GetValue<string>();
                var inner = config["config"];
                var entries = inner as JsonArray ?? inner?["layers"] as JsonArray ?? new JsonArray();
                modelName = (inner as JsonObject)?["name"]?.GetValue<string>();
                foreach (var entry in entries.OfType<JsonObject>())
                {
                    var layerConfig = entry["config"] as JsonObject ?? new JsonObject();
                    var name = entry["name"]?.GetValue<string>() ?? layerConfig["name"]?.GetValue<string>() ?? "?";
                    layers.Add(new KerasFileLayer(entry["class_name"]?.GetValue<string>() ?? "?", name, counts.GetValueOrDefault(name), layerConfig));
                }
                if ((inner as JsonObject)?["output_layers"] is JsonArray outs)
                    outputs.AddRange(outs.Select(o => o is JsonArray a ? a[0]!.GetValue<string>() : o?["keras_history"]?[0]?.GetValue<string>() ?? "?"));
                else if (layers.Count > 0) outputs.Add(layers[^1].name);
            }
            else layers.AddRange(counts.Select(p => new KerasFileLayer("?", p.Key, p.Value, new JsonObject())));
            return new KerasFileInfo
            {
                keras_version = version, backend = backend, model_class = modelClass, model_name = modelName, layers = layers,
                output_names = outputs, model_config = config,
                has_training_config = H5Strings.ReadString(root, "training_config", file.Length) is not null,
                has_optimizer_weights = root.LinkExists("optimizer_weights"),
            };
        });
    }

    static Dictionary<string, long> ParameterCounts(IH5Group weights, long fileLength)
    {
        var counts = new Dictionary<string, long>();
        foreach (var layer in H5Strings.ReadNames(weights, "layer_names", fileLength) ?? Array.Empty<string>())
        {
            if (!weights.LinkExists(layer)) continue;
            var group = weights.Group(layer);
            long total = 0;
            foreach (var weight in H5Strings.ReadNames(group, "weight_names", fileLength) ?? Array.Empty<string>())
                if (group.LinkExists(weight)) total += H5Guard.ElementCount(group.Dataset(weight).Space);
            counts[layer] = total;
        }
        return counts;
    }
}
