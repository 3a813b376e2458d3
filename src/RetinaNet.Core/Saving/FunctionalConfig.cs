using System.Text.Json.Nodes;

namespace RetinaNet.Core;

/// <summary>
/// Writes a functional model's config in the Keras 2 form (<c>get_network_config</c>): every layer in
/// <c>model.layers</c> order with its class, config, name and inbound nodes as nested lists
/// <c>[[["layer", node_index, tensor_index, {}], ...], ...]</c>, then the input and output coordinates.
/// </summary>
internal static class FunctionalConfig
{
    /// <summary>The <c>class_name</c> Keras files use for a layer: <c>Functional</c> for a plain model.</summary>
    public static string ClassName(Layer layer) => layer.GetType() == typeof(Model) ? "Functional" : layer.class_name;

    /// <summary>
    /// Keras numbers the calls of a nested model from 1: its node 0 is the one linking its own inputs to its
    /// outputs, which configs leave out (<c>_should_skip_first_node</c>). Our models have no such node.
    /// </summary>
    public static int FirstNodeIndex(Layer layer) => layer is Model ? 1 : 0;

    public static JsonObject Serialize(Model model)
    {
        var own = new HashSet<Node>(model.nodes);
        // Node indices count only the calls that belong to this model, in call order.
        var index = new Dictionary<Node, int>();
        foreach (var layer in model.layers)
        {
            var kept = FirstNodeIndex(layer);
            foreach (var node in layer.inbound_nodes)
                if (own.Contains(node)) index[node] = kept++;
        }

        var layers = new JsonArray();
        foreach (var layer in model.layers)
        {
            var inbound = new JsonArray();
            foreach (var node in layer.inbound_nodes)
            {
                if (!own.Contains(node) || node.is_input) continue;
                inbound.Add(new JsonArray(node.input_tensors
                    .Select(t => (JsonNode)new JsonArray(t.layer.name, index[t.node], t.tensor_index, new JsonObject()))
                    .ToArray()));
            }
            layers.Add(new JsonObject
            {
                ["class_name"] = ClassName(layer),
                ["config"] = layer.get_config(),
                ["name"] = layer.name,
                ["inbound_nodes"] = inbound,
            });
        }
        return new JsonObject
        {
            ["name"] = model.name,
            ["layers"] = layers,
            // A single input or output is still a list "for external Keras compat".
            ["input_layers"] = Coordinates(model.inputs, index),
            ["output_layers"] = Coordinates(model.outputs, index),
        };
    }

    static JsonArray Coordinates(KerasTensors tensors, Dictionary<Node, int> index) =>
        new(tensors.Select(t => (JsonNode)new JsonArray(t.layer.name, index[t.node], t.tensor_index)).ToArray());
}
