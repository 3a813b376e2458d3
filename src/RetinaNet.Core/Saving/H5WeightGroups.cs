using PureHDF;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// Writes weights the way Keras' <c>save_weights_to_hdf5_group</c> does: <c>layer_names</c> (every layer, weightless
/// ones too), <c>backend</c> and <c>keras_version</c> on the group, then one subgroup per layer with its
/// <c>weight_names</c> and one dataset per weight at the weight's name split on '/'
/// (<c>conv1/conv1/kernel:0</c>). Values are in Keras layout, uncompressed and unchunked.
/// </summary>
internal static class H5WeightGroups
{
    /// <summary>The Keras version written into files: new enough for every Keras 2 and 3 reader (TF.NET wants ≥ 2.5).</summary>
    public const string KerasVersion = "2.12.0";

    /// <summary>The backend written into files; Keras readers only compare it with "theano".</summary>
    public const string Backend = "tensorflow";

    /// <summary>Fills <paramref name="group"/> with the model's weights (the <c>model_weights</c> group or a weights file's root).</summary>
    public static void Write(H5Group group, Model model)
    {
        H5Strings.WriteNames(group.Attributes, "layer_names", model.layers.Select(l => l.name).ToList());
        group.Attributes["backend"] = Backend;
        group.Attributes["keras_version"] = KerasVersion;
        foreach (var layer in model.layers)
        {
            var values = layer.weights.Select(w => (w.name, w.numpy())).ToList();
            try { WriteSubset(GroupAt(group, layer.name), values); }
            finally { foreach (var (_, value) in values) value.Dispose(); }
        }
        // Keras >= 2.6 also saves the model's own (not its layers') weights; ours has none.
        WriteSubset(GroupAt(group, "top_level_model_weights"), Array.Empty<(string, Tensor)>());
    }

    /// <summary>Writes <c>weight_names</c> and one dataset per weight (Keras' <c>save_subset_weights_to_hdf5_group</c>); the values are copied.</summary>
    public static void WriteSubset(H5Group group, IEnumerable<(string name, Tensor value)> weights)
    {
        var names = new List<string>();
        foreach (var (name, value) in weights)
        {
            // Two weights with one name would share a dataset; Keras 2.2 suffixed duplicates the same way.
            var unique = name;
            for (int k = 1; names.Contains(unique); k++) unique = Suffix(name, k);
            names.Add(unique);
            AddDataset(group, unique, Dataset(value));
        }
        H5Strings.WriteNames(group.Attributes, "weight_names", names);
    }

    static string Suffix(string name, int k)
    {
        var colon = name.LastIndexOf(':');
        return colon < 0 ? $"{name}_{k}" : $"{name[..colon]}_{k}{name[colon..]}";
    }

    static H5Dataset Dataset(Tensor value)
    {
        using var cpu = value.cpu().contiguous();
        var dims = cpu.shape.Select(d => (ulong)d).ToArray();
        object data = cpu.dtype switch
        {
            ScalarType.Float32 => cpu.data<float>().ToArray(),
            ScalarType.Float64 => cpu.data<double>().ToArray(),
            ScalarType.Int64 => cpu.data<long>().ToArray(),
            ScalarType.Int32 => cpu.data<int>().ToArray(),
            ScalarType.Int16 => cpu.data<short>().ToArray(),
            ScalarType.Int8 => cpu.data<sbyte>().ToArray(),
            ScalarType.Byte => cpu.data<byte>().ToArray(),
            _ => ToFloat(cpu),
        };
        return new H5Dataset(data, fileDims: dims);
    }

    static float[] ToFloat(Tensor t)
    {
        using var f = t.to(ScalarType.Float32);
        return f.data<float>().ToArray();
    }

    /// <summary>The group at a '/'-separated path below <paramref name="root"/>, created as needed.</summary>
    public static H5Group GroupAt(H5Group root, string path)
    {
        var group = root;
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!group.TryGetValue(part, out var existing))
            {
                var created = new H5Group();
                group[part] = created;
                group = created;
            }
            else group = existing as H5Group
                ?? throw new InvalidOperationException($"'{path}' cannot be a group: '{part}' is already a weight.");
        }
        return group;
    }

    static void AddDataset(H5Group root, string path, H5Dataset dataset)
    {
        var slash = path.LastIndexOf('/');
        var parent = slash < 0 ? root : GroupAt(root, path[..slash]);
        var leaf = path[(slash + 1)..];
        if (leaf.Length == 0 || parent.ContainsKey(leaf))
            throw new InvalidOperationException($"The weight name '{path}' clashes with another weight or group of the same layer.");
        parent[leaf] = dataset;
    }
}
