using System.Text.Json.Nodes;

namespace RetinaNet.Core;

/// <summary>
/// The <c>training_config</c> attribute of a saved compiled model, in the Keras 2 form:
/// <c>{"loss": {output: loss}, "metrics": null, "weighted_metrics": null, "loss_weights": ...,
/// "optimizer_config": {"class_name": ..., "config": ...}}</c>. Reading accepts what Keras wrote: a loss given as a
/// name, as a serialized object, per output in a dict or a list; loss weights as a dict, a list or null.
/// </summary>
internal static class TrainingConfig
{
    /// <summary>What <c>compile</c> received, rebuilt from a file.</summary>
    public sealed record Compiled(Optimizer optimizer, Dictionary<string, Loss> losses, Dictionary<string, double> loss_weights);

    public static JsonObject Serialize(Model model, Optimizer optimizer)
    {
        JsonNode? loss = null;
        if (model.losses.Count > 0)
        {
            var perOutput = new JsonObject();
            foreach (var (output, l) in model.losses)
                // Keras saves its own loss classes as objects and user loss functions by name (keras-retinanet's
                // "_focal", "_smooth_l1"), which is the key users put in custom_objects.
                perOutput[output] = l.GetType().Assembly == typeof(Loss).Assembly
                    ? new JsonObject { ["class_name"] = l.GetType().Name, ["config"] = l.get_config() }
                    : JsonValue.Create(l.name);
            loss = perOutput;
        }
        // Keras stores what compile received; weights that are all 1 are what it means by "none given".
        JsonNode? weights = null;
        if (model.loss_weights.Values.Any(w => w != 1.0))
        {
            var perOutput = new JsonObject();
            foreach (var (output, w) in model.loss_weights) perOutput[output] = w;
            weights = perOutput;
        }
        return new JsonObject
        {
            ["loss"] = loss,
            ["metrics"] = null,
            ["weighted_metrics"] = null,
            ["loss_weights"] = weights,
            ["optimizer_config"] = new JsonObject
            {
                ["class_name"] = optimizer.GetType().Name,
                ["config"] = optimizer.get_config(),
            },
        };
    }

    /// <summary>Rebuilds optimizer and losses; unknown classes throw <see cref="KerasConfigException"/> with Keras' wording.</summary>
    public static Compiled Deserialize(JsonObject config, IReadOnlyList<string> outputNames)
    {
        var optimizerEntry = config["optimizer_config"]
            ?? throw new KerasConfigException("The training config has no 'optimizer_config'.");
        var optimizer = KerasObjects.Deserialize<Optimizer>(optimizerEntry, "optimizer");
        return new Compiled(optimizer, Losses(config["loss"], outputNames), LossWeights(config["loss_weights"], outputNames));
    }

    static Dictionary<string, Loss> Losses(JsonNode? node, IReadOnlyList<string> outputs)
    {
        var result = new Dictionary<string, Loss>();
        switch (node)
        {
            case null:
                break;
            case JsonArray list:
                if (list.Count != outputs.Count)
                    throw new KerasConfigException($"The training config lists {list.Count} losses for a model with {outputs.Count} outputs.");
                for (int i = 0; i < list.Count; i++)
                    if (list[i] is JsonNode entry) result[outputs[i]] = One(entry, outputs[i]);
                break;
            case JsonObject dict when !dict.ContainsKey("class_name"):
                foreach (var (output, entry) in dict)
                {
                    if (!outputs.Contains(output))
                        throw new KerasConfigException(
                            $"The training config has a loss for '{output}', which is not an output of the model ({string.Join(", ", outputs)}).");
                    if (entry is not null) result[output] = One(entry, output);
                }
                break;
            default:
                // One loss for the whole model applies to every output.
                var loss = One(node, null);
                foreach (var output in outputs) result[output] = loss;
                break;
        }
        return result;
    }

    static Loss One(JsonNode entry, string? output) =>
        KerasObjects.Deserialize<Loss>(entry, "loss function", output is null ? null : $"the loss of output '{output}'");

    static Dictionary<string, double> LossWeights(JsonNode? node, IReadOnlyList<string> outputs)
    {
        var result = outputs.ToDictionary(o => o, _ => 1.0);
        switch (node)
        {
            case null:
                break;
            case JsonArray list when list.Count == outputs.Count:
                for (int i = 0; i < list.Count; i++) result[outputs[i]] = Number(list[i], outputs[i]);
                break;
            case JsonObject dict:
                foreach (var (output, w) in dict)
                    if (result.ContainsKey(output)) result[output] = Number(w, output);
                    else throw new KerasConfigException($"The training config has a loss weight for '{output}', which is not an output of the model.");
                break;
            default:
                throw new KerasConfigException($"The training config's loss_weights ({ConfigJson.Excerpt(node)}) do not match the model's {outputs.Count} output(s).");
        }
        return result;
    }

    static double Number(JsonNode? node, string output) =>
        node is JsonValue v && v.TryGetValue<double>(out var d)
            ? d
            : throw new KerasConfigException($"The loss weight of output '{output}' is not a number: {ConfigJson.Excerpt(node)}.");
}
