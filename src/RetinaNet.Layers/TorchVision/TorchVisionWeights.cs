using RetinaNet.Core;
using RetinaNet.Core.Layers;
using RetinaNet.Layers.TorchVision.Checkpoints;
using static TorchSharp.torch;

namespace RetinaNet.Layers.TorchVision;

/// <summary>
/// Copies a torchvision RetinaNet <c>state_dict</c> onto a model of <see cref="TorchVisionRetinaNet"/>: each layer
/// named after a PyTorch module takes that module's tensors — Conv2d <c>weight</c> (out, in, kh, kw) becomes the
/// Keras kernel (kh, kw, in, out); BatchNorm <c>weight, bias, running_mean, running_var</c> become gamma, beta and the
/// moving statistics (<c>num_batches_tracked</c> is ignored); GroupNorm <c>weight, bias</c> become gamma, beta.
/// Every tensor is checked first: the error lists the missing, unexpected and wrong-shaped ones by name.
/// Keys of torchvision before 0.13 (<c>fpn.inner_blocks.0.weight</c>, head <c>conv.2.weight</c>) are accepted too.
/// </summary>
public static class TorchVisionWeights
{
    /// <summary>Number of classes of a torchvision RetinaNet state_dict, from its classification layer.</summary>
    public static int NumClasses(IReadOnlyDictionary<string, Tensor> state, string source)
    {
        const string key = "head.classification_head.cls_logits.weight";
        if (!state.TryGetValue(key, out var w) || w.dim() != 4)
            throw new CheckpointException($"{source}: no '{key}' tensor: not a torchvision RetinaNet state_dict.");
        if (w.shape[0] % TorchVisionRetinaNet.NumAnchors != 0)
            throw new CheckpointException($"{source}: '{key}' has {w.shape[0]} outputs, not a multiple of {TorchVisionRetinaNet.NumAnchors} anchors.");
        return (int)(w.shape[0] / TorchVisionRetinaNet.NumAnchors);
    }

    /// <summary>The variant a state_dict was saved from: v2 has GroupNorm in the heads (and P6 on C5's 2048 channels).</summary>
    public static TorchVisionVariant Variant(IReadOnlyDictionary<string, Tensor> state) =>
        state.ContainsKey("head.classification_head.conv.0.1.weight") ? TorchVisionVariant.V2 : TorchVisionVariant.V1;

    /// <summary>
    /// Reads a torchvision RetinaNet checkpoint (<c>.pth</c>/<c>.pt</c> state_dict or <c>.safetensors</c>) into a new
    /// model of ours. The variant and the number of classes are read from the file unless given; given ones must fit.
    /// </summary>
    public static Model LoadModel(string path, TorchVisionVariant? variant = null, int? num_classes = null)
    {
        var state = StateDict.Load(path);
        try
        {
            var classes = NumClasses(state, path);
            if (num_classes is int n && n != classes)
                throw new CheckpointException($"{path}: the classification head predicts {classes} classes, not the {n} asked for " +
                    "(head.classification_head.cls_logits.weight).");
            var model = TorchVisionRetinaNet.Build(variant ?? Variant(state), classes);
            Load(model, state, path);
            return model;
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    /// <summary>Loads every tensor into the model; throws <see cref="CheckpointException"/> naming any mismatch.</summary>
    /// <param name="model">A model built by <see cref="TorchVisionRetinaNet.Build"/>.</param>
    /// <param name="state">The state_dict (PyTorch layout).</param>
    /// <param name="source">The file, for errors.</param>
    public static void Load(Model model, IReadOnlyDictionary<string, Tensor> state, string source)
    {
        var assignments = new List<(KerasVariable variable, Tensor value)>();
        var missing = new List<string>();
        var wrongShape = new List<string>();
        var used = new HashSet<string>();
        foreach (var layer in AllLayers(model))
        {
            foreach (var (variable, suffix, toKeras) in Parameters(layer))
            {
                var key = Find(state, layer.name, suffix);
                if (key is null) { missing.Add($"{layer.name}.{suffix}"); continue; }
                used.Add(key);
                var value = toKeras(state[key]);
                var expected = variable.shape.ToLongArray();
                if (!value.shape.SequenceEqual(expected))
                {
                    var expectedTorch = toKeras == Kernel ? new[] { expected[3], expected[2], expected[0], expected[1] } : expected;
                    wrongShape.Add($"{key} has shape ({string.Join(", ", state[key].shape)}), the model expects ({string.Join(", ", expectedTorch)})");
                    continue;
                }
                assignments.Add((variable, value));
            }
        }
        var unexpected = state.Keys.Where(k => !used.Contains(k) && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
        if (missing.Count + wrongShape.Count + unexpected.Count > 0)
            throw new CheckpointException($"{source} does not fit {model.name}:" + List("missing", missing) + List("unexpected", unexpected) +
                List("wrong shape", wrongShape));
        foreach (var (variable, value) in assignments) variable.assign(value);
    }

    static string List(string what, List<string> names) => names.Count == 0 ? "" :
        $" {names.Count} {what}: {string.Join("; ", names.Take(8))}{(names.Count > 8 ? "; …" : "")}.";

    static Tensor Kernel(Tensor oihw) => oihw.to(ScalarType.Float32).permute(2, 3, 1, 0);
    static Tensor Plain(Tensor t) => t.to(ScalarType.Float32);

    static IEnumerable<(KerasVariable variable, string suffix, Func<Tensor, Tensor> toKeras)> Parameters(Layer layer)
    {
        switch (layer)
        {
            case Conv2D conv:
                yield return (conv.kernel, "weight", Kernel);
                if (conv.bias is not null) yield return (conv.bias, "bias", Plain);
                break;
            case BatchNormalization bn:
                if (bn.gamma is not null) yield return (bn.gamma, "weight", Plain);
                if (bn.beta is not null) yield return (bn.beta, "bias", Plain);
                yield return (bn.moving_mean, "running_mean", Plain);
                yield return (bn.moving_variance, "running_var", Plain);
                break;
            case GroupNormalization gn:
                if (gn.gamma is not null) yield return (gn.gamma, "weight", Plain);
                if (gn.beta is not null) yield return (gn.beta, "bias", Plain);
                break;
        }
    }

    /// <summary>The state_dict key of a layer's parameter: its own name, or the name torchvision &lt; 0.13 used.</summary>
    static string? Find(IReadOnlyDictionary<string, Tensor> state, string layer, string suffix)
    {
        var key = $"{layer}.{suffix}";
        if (state.ContainsKey(key)) return key;
        // fpn.inner_blocks.0.0 / fpn.layer_blocks.0.0 were fpn.inner_blocks.0 / fpn.layer_blocks.0.
        if (layer.StartsWith("backbone.fpn.", StringComparison.Ordinal) && layer.EndsWith(".0", StringComparison.Ordinal))
        {
            var legacy = $"{layer[..^2]}.{suffix}";
            if (state.ContainsKey(legacy)) return legacy;
        }
        // Head convs conv.{i}.0 were conv.{2i} (Conv2d, ReLU pairs in one Sequential).
        var parts = layer.Split('.');
        if (parts.Length == 5 && parts[0] == "head" && parts[2] == "conv" && parts[4] == "0" && int.TryParse(parts[3], out var i))
        {
            var legacy = $"head.{parts[1]}.conv.{2 * i}.{suffix}";
            if (state.ContainsKey(legacy)) return legacy;
        }
        return null;
    }

    static IEnumerable<Layer> AllLayers(Model model)
    {
        foreach (var layer in model.layers)
        {
            if (layer is Model inner)
                foreach (var l in AllLayers(inner)) yield return l;
            else yield return layer;
        }
    }
}
