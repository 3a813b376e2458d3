using System.Text.Json.Nodes;
using RetinaNet.Core.Layers;

namespace RetinaNet.Core;

/// <summary>
/// Rebuilds a model from a Keras model config, written by any Keras from 2.0 to 3.x: <c>Functional</c>/<c>Model</c>
/// graphs (Keras 2 nested-list inbound nodes or Keras 3 <c>{args, kwargs}</c> nodes) and <c>Sequential</c> stacks
/// (a dict with <c>layers</c> or the old bare list). Layers are created through <see cref="KerasObjects"/>, so the
/// caller's <see cref="CustomObjectScope"/> applies; a layer entry that is itself a model is rebuilt recursively.
/// </summary>
internal static class ModelConfigReader
{
    /// <summary>Class names whose config lists layers; they are rebuilt here rather than through a constructor.</summary>
    public static bool IsModelClass(string className) => className is "Functional" or "Model" or "Sequential";

    /// <summary>Rebuilds the model of a <c>{"class_name": ..., "config": ...}</c> entry.</summary>
    public static Model FromEntry(JsonObject entry)
    {
        var className = ConfigJson.String(entry["class_name"], "the model's 'class_name'");
        if (!IsModelClass(className))
            throw new KerasConfigException(
                $"Cannot rebuild a model of class '{className}' from its config: only Functional, Model and Sequential " +
                "configs describe their layers. Build a subclassed model in code, then call load_weights.");
        return className == "Sequential"
            ? FromSequential(entry["config"])
            : FromFunctional(ConfigJson.Object(entry["config"], "the model's 'config'"));
    }

    /// <summary>Rebuilds a model from the inner config of a Functional model (or, leniently, of a Sequential one).</summary>
    public static Model FromConfig(JsonObject config) =>
        config.ContainsKey("layers") && !config.ContainsKey("input_layers") ? FromSequential(config) : FromFunctional(config);

    static Model FromFunctional(JsonObject config)
    {
        var layerEntries = ConfigJson.Array(config["layers"], "'layers'");
        var created = new Dictionary<string, Layer>();
        var pending = new List<(Layer layer, string name, Queue<Call> calls)>();
        for (int i = 0; i < layerEntries.Count; i++)
        {
            var entry = ConfigJson.Object(layerEntries[i], $"layer entry #{i}");
            var name = EntryName(entry, i);
            var layer = CreateLayer(entry, name);
            if (!created.TryAdd(name, layer))
                throw new KerasConfigException($"Malformed model config: the layer name '{name}' appears twice.");
            var nodes = entry["inbound_nodes"] is null
                ? new JsonArray()
                : ConfigJson.Array(entry["inbound_nodes"], $"'inbound_nodes' of layer '{name}'");
            pending.Add((layer, name, new Queue<Call>(nodes.Select((n, k) => Call.Parse(n, $"node {k} of layer '{name}'")))));
        }

        var inputRefs = TensorRef.ParseList(config["input_layers"], "'input_layers'");
        var outputRefs = TensorRef.ParseList(config["output_layers"], "'output_layers'");
        var graph = new Graph(created, pending.SelectMany(p => p.calls).SelectMany(c => c.Inputs).Concat(inputRefs).Concat(outputRefs));

        // Keras' queue: call each layer's nodes in order; a node whose inputs do not exist yet (a layer shared at
        // different depths) waits for the next pass. A pass that calls nothing means the config cannot be satisfied.
        while (pending.Any(p => p.calls.Count > 0))
        {
            var progress = false;
            foreach (var (layer, name, calls) in pending)
            {
                while (calls.Count > 0)
                {
                    var inputs = graph.Resolve(calls.Peek(), name);
                    if (inputs is null) break;
                    graph.Record(layer, layer.Apply(inputs));
                    calls.Dequeue();
                    progress = true;
                }
            }
            if (!progress)
            {
                var stuck = pending.Where(p => p.calls.Count > 0).Select(p => $"'{p.name}'");
                throw new KerasConfigException(
                    $"Malformed model config: the inbound nodes of layer(s) {string.Join(", ", stuck)} refer to layer calls that the config never makes.");
            }
        }

        var modelInputs = inputRefs.Select(r => graph.Lookup(r, "'input_layers'")
            ?? throw new KerasConfigException($"Malformed model config: 'input_layers' refers to call {r.Node} of layer '{r.Layer}', which the config never makes.")).ToList();
        var modelOutputs = outputRefs.Select(r => graph.Lookup(r, "'output_layers'")
            ?? throw new KerasConfigException($"Malformed model config: 'output_layers' refers to call {r.Node} of layer '{r.Layer}', which the config never makes.")).ToList();
        var model = new Model(
            modelInputs.Count == 1 ? modelInputs[0] : new KerasTensors(modelInputs),
            modelOutputs.Count == 1 ? modelOutputs[0] : new KerasTensors(modelOutputs),
            ConfigJson.OptionalString(config["name"]));
        ApplyTrainable(model, config);
        return model;
    }

    static Model FromSequential(JsonNode? config)
    {
        // Keras <= 2.2.2 wrote the layer list itself; later versions a dict with "name" and "layers".
        JsonArray entries;
        string? name = null;
        JsonObject? dict = null;
        if (config is JsonArray list) entries = list;
        else
        {
            dict = ConfigJson.Object(config, "the Sequential model's 'config'");
            entries = ConfigJson.Array(dict["layers"], "the Sequential model's 'layers'");
            name = ConfigJson.OptionalString(dict["name"]);
        }
        if (entries.Count == 0)
            throw new KerasConfigException($"Cannot rebuild the Sequential model '{name}': it has no layers.");

        var first = ConfigJson.Object(entries[0], "layer entry #0");
        var firstName = EntryName(first, 0);
        InputLayer input;
        var start = 0;
        if (ConfigJson.String(first["class_name"], "'class_name' of layer entry #0") == "InputLayer")
        {
            input = CreateLayer(first, firstName) as InputLayer
                ?? throw new KerasConfigException($"Layer entry #0 ('{firstName}') is not an InputLayer.");
            start = 1;
        }
        else
        {
            // Sequential creates its input from the first layer's batch_input_shape, named after that layer.
            var firstConfig = first["config"] as JsonObject;
            var shape = firstConfig?["batch_input_shape"] ?? firstConfig?["batch_shape"] ?? dict?["build_input_shape"];
            if (shape is not JsonArray)
                throw new KerasConfigException(
                    $"Cannot rebuild the Sequential model '{name}': it has no InputLayer and its first layer '{firstName}' " +
                    "has no batch_input_shape, so the input shape is unknown.");
            var dtype = firstConfig?["dtype"] is JsonNode d ? ConfigBinder.DTypeName(d) ?? "float32" : "float32";
            input = new InputLayer(batch_shape: ConfigBinder.ToShape(shape), name: firstName + "_input", dtype: dtype);
        }

        KerasTensors x = input.output;
        var names = new HashSet<string> { input.name };
        for (int i = start; i < entries.Count; i++)
        {
            var entry = ConfigJson.Object(entries[i], $"layer entry #{i}");
            var layerName = EntryName(entry, i);
            if (!names.Add(layerName))
                throw new KerasConfigException($"Malformed model config: the layer name '{layerName}' appears twice.");
            x = CreateLayer(entry, layerName).Apply(x);
        }
        var model = new Model(input.output, x, name);
        if (dict is not null) ApplyTrainable(model, dict);
        return model;
    }

    static string EntryName(JsonObject entry, int index) =>
        ConfigJson.OptionalString(entry["name"])
        ?? ConfigJson.OptionalString((entry["config"] as JsonObject)?["name"])
        ?? throw new KerasConfigException($"Malformed model config: layer entry #{index} has no name: {ConfigJson.Excerpt(entry)}");

    static Layer CreateLayer(JsonObject entry, string name)
    {
        var className = ConfigJson.String(entry["class_name"], $"'class_name' of layer '{name}'");
        var layer = IsModelClass(className)
            ? FromEntry(entry)
            : KerasObjects.Deserialize<Layer>(entry, "layer", $"layer '{name}'");
        layer.name = name;
        return layer;
    }

    static void ApplyTrainable(Model model, JsonObject config)
    {
        if (config["trainable"] is JsonValue v && v.TryGetValue<bool>(out var trainable) && !trainable) model.trainable = false;
    }

    /// <summary>Where an input comes from: a call (node) of a layer and one of its outputs.</summary>
    sealed record TensorRef(string Layer, int Node, int Tensor)
    {
        /// <summary><c>[layer, node, tensor]</c> (with an optional kwargs dict in Keras 2 inbound nodes).</summary>
        public static TensorRef FromList(JsonArray a, string what)
        {
            if (a.Count is not (3 or 4))
                throw new KerasConfigException($"Improperly formatted model config: {what} should be [layer, node_index, tensor_index, kwargs], found {ConfigJson.Excerpt(a)}.");
            var layer = ConfigJson.String(a[0], $"the layer name in {what}");
            if (layer == "_CONSTANT_VALUE")
                throw new KerasConfigException($"Unsupported model config: {what} passes a constant (_CONSTANT_VALUE) to a layer.");
            return new TensorRef(layer, ConfigJson.Int(a[1], $"the node index in {what}"), ConfigJson.Int(a[2], $"the tensor index in {what}"));
        }

        /// <summary>Keras 3: <c>{"class_name": "__keras_tensor__", "config": {"keras_history": [layer, node, tensor]}}</c>.</summary>
        public static TensorRef FromKerasTensor(JsonNode? node, string what)
        {
            var o = ConfigJson.Object(node, what);
            if (ConfigJson.OptionalString(o["class_name"]) != "__keras_tensor__")
                throw ConfigJson.Malformed(what, node, "a __keras_tensor__");
            var history = ConfigJson.Array(ConfigJson.Object(o["config"], $"the config of {what}")["keras_history"], $"the keras_history of {what}");
            return FromList(history, what);
        }

        /// <summary>input_layers / output_layers: one triple, a list of triples, or (Keras 3) a dict of them.</summary>
        public static List<TensorRef> ParseList(JsonNode? node, string what)
        {
            var result = new List<TensorRef>();
            void Walk(JsonNode? n)
            {
                switch (n)
                {
                    case JsonArray a when a.Count > 0 && ConfigJson.IsString(a[0]): result.Add(FromList(a, what)); break;
                    case JsonArray a: foreach (var item in a) Walk(item); break;
                    case JsonObject o: foreach (var (_, v) in o) Walk(v); break;
                    default: throw ConfigJson.Malformed(what, node, "a list of [layer, node_index, tensor_index]");
                }
            }
            Walk(node);
            if (result.Count == 0) throw ConfigJson.Malformed(what, node, "a non-empty list");
            return result;
        }
    }

    /// <summary>One call of a layer: the tensors it receives, and whether they form a list.</summary>
    sealed record Call(List<TensorRef> Inputs, bool IsList)
    {
        public static Call Parse(JsonNode? node, string what)
        {
            switch (node)
            {
                // Keras 2: [["layer", node, tensor, kwargs], ...]; kwargs (e.g. training) do not change our calls.
                case JsonArray a when a.Count > 0 && ConfigJson.IsString(a[0]):
                    return new Call(new() { TensorRef.FromList(a, what) }, false);
                case JsonArray a when a.Count > 0:
                    var refs = a.Select((e, i) => TensorRef.FromList(ConfigJson.Array(e, $"input {i} of {what}"), what)).ToList();
                    return new Call(refs, refs.Count > 1);
                case JsonObject o:
                    return ParseKeras3(o, what);
                default:
                    throw ConfigJson.Malformed(what, node, "a list of inbound tensors");
            }
        }

        static Call ParseKeras3(JsonObject o, string what)
        {
            var args = ConfigJson.Array(o["args"], $"'args' of {what}");
            if (args.Count != 1)
                throw new KerasConfigException($"Unsupported model config: {what} passes {args.Count} positional arguments; only the inputs are supported.");
            if (o["kwargs"] is JsonNode kwargs && ContainsKerasTensor(kwargs))
                throw new KerasConfigException($"Unsupported model config: {what} passes tensors as keyword arguments (e.g. a mask).");
            if (args[0] is JsonArray list)
            {
                var refs = list.Select((t, i) => TensorRef.FromKerasTensor(t, $"input {i} of {what}")).ToList();
                if (refs.Count == 0) throw ConfigJson.Malformed($"'args' of {what}", args, "a list of tensors");
                return new Call(refs, true);
            }
            return new Call(new() { TensorRef.FromKerasTensor(args[0], $"the input of {what}") }, false);
        }

        static bool ContainsKerasTensor(JsonNode node) => node switch
        {
            JsonObject o => ConfigJson.OptionalString(o["class_name"]) == "__keras_tensor__"
                            || o.Any(p => p.Value is not null && ContainsKerasTensor(p.Value)),
            JsonArray a => a.Any(n => n is not null && ContainsKerasTensor(n)),
            _ => false,
        };
    }

    /// <summary>The outputs of every call made so far, addressed the way configs address them.</summary>
    sealed class Graph
    {
        readonly Dictionary<string, Layer> layers;
        readonly Dictionary<Layer, List<KerasTensors>> calls = new(ReferenceEqualityComparer.Instance);
        readonly Dictionary<string, int> firstIndex = new();

        public Graph(Dictionary<string, Layer> layers, IEnumerable<TensorRef> references)
        {
            this.layers = layers;
            // Keras numbers a nested model's calls from 1 (see FunctionalConfig.FirstNodeIndex). A config that
            // refers to call 0 of a nested model numbers them from 0; accept both.
            foreach (var group in references.GroupBy(r => r.Layer))
                if (layers.TryGetValue(group.Key, out var l) && l is Model)
                    firstIndex[group.Key] = group.Min(r => r.Node) == 0 ? 0 : 1;
        }

        public void Record(Layer layer, KerasTensors outputs)
        {
            if (!calls.TryGetValue(layer, out var list)) calls[layer] = list = new();
            list.Add(outputs);
        }

        /// <summary>The inputs of a call, or null while some of them have not been produced yet.</summary>
        public KerasTensors? Resolve(Call call, string layerName)
        {
            var tensors = new List<KerasTensor>();
            foreach (var r in call.Inputs)
            {
                var t = Lookup(r, $"layer '{layerName}'");
                if (t is null) return null;
                tensors.Add(t);
            }
            return call.IsList ? new KerasTensors(tensors) : tensors[0];
        }

        /// <summary>The tensor a reference names, or null if that call has not been made yet.</summary>
        public KerasTensor? Lookup(TensorRef r, string where)
        {
            if (!layers.TryGetValue(r.Layer, out var layer))
                throw new KerasConfigException($"Malformed model config: {where} refers to layer '{r.Layer}', which is not in the config.");
            if (layer is InputLayer input)
            {
                if (r.Tensor != 0)
                    throw new KerasConfigException($"Malformed model config: {where} refers to output {r.Tensor} of input layer '{r.Layer}', which has one output.");
                return input.output;
            }
            var index = r.Node - firstIndex.GetValueOrDefault(r.Layer, 0);
            if (index < 0)
                throw new KerasConfigException($"Malformed model config: {where} refers to call {r.Node} of layer '{r.Layer}'.");
            if (!calls.TryGetValue(layer, out var made) || index >= made.Count) return null;
            var outputs = made[index];
            if (r.Tensor < 0 || r.Tensor >= outputs.Count)
                throw new KerasConfigException(
                    $"Malformed model config: {where} refers to output {r.Tensor} of layer '{r.Layer}', which has {outputs.Count} output(s).");
            return outputs[r.Tensor];
        }
    }
}
