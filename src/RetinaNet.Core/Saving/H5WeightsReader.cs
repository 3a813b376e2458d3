using PureHDF;
using TorchSharp;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// Loads weights saved by Keras into a model, following <c>load_weights_from_hdf5_group</c>: by default the k-th
/// saved layer that has weights goes to the k-th model layer that has weights (names are ignored); with
/// <c>by_name</c>, saved layers go to model layers of the same name. Datasets are found through each layer's
/// <c>weight_names</c>. Everything is checked and read before any value is assigned, so a failed load changes nothing.
/// </summary>
internal sealed class H5WeightsReader
{
    readonly NativeFileHandle file;
    readonly string path;
    readonly Action<string> warn;
    // The members of each group visited, by path: looking links up one by one rescans the group every time,
    // which is quadratic for large groups (hundreds of layers, or a nested model's weights).
    readonly Dictionary<string, Dictionary<string, IH5Object>> members = new();

    H5WeightsReader(NativeFileHandle file, string path, Action<string> warn)
    {
        this.file = file;
        this.path = path;
        this.warn = warn;
    }

    /// <summary>A saved weight: its name and dataset (values are read only once everything matches).</summary>
    sealed record Saved(string Name, IH5Dataset Dataset, Shape Shape);

    /// <summary>Loads the weights of <paramref name="group"/> (a weights file's root or <c>model_weights</c>) into <paramref name="model"/>.</summary>
    public static void Load(NativeFileHandle file, IH5Group group, Model model, string path, bool byName, bool skipMismatch, Action<string> warn)
    {
        var reader = new H5WeightsReader(file, path, warn);
        var assignments = H5Guard.Run(path, () => byName
            ? reader.MatchByName(group, model, skipMismatch)
            : reader.MatchByPosition(group, model, skipMismatch));
        // Read every value before assigning any, so that damaged data cannot leave a half-loaded model.
        using var scope = NewDisposeScope();
        var values = H5Guard.Run(path, () => assignments.Select(a => reader.ReadTensor(a.saved.Dataset, a.saved.Name)).ToList());
        // A diverged training or damaged data: refuse rather than train or predict on NaN.
        for (int i = 0; i < values.Count; i++)
            if (values[i].is_floating_point() && !values[i].isfinite().all().item<bool>())
                throw new KerasFileException(path,
                    $"'{path}' holds NaN or infinite values in weight '{assignments[i].saved.Name}' (layer '{assignments[i].variable.name.Split('/')[0]}'): " +
                    "the file is damaged or was saved from a training whose loss diverged. Use an earlier snapshot.");
        for (int i = 0; i < assignments.Count; i++) assignments[i].variable.assign(values[i]);
    }

    /// <summary>The group to load from: the root of a <c>save_weights</c> file, else <c>model_weights</c> of a <c>save</c> file.</summary>
    public static IH5Group WeightsGroup(NativeFileHandle file, string path) => H5Guard.Run(path, () =>
    {
        var root = file.File;
        if (root.AttributeExists("layer_names") || root.AttributeExists("layer_names0")) return (IH5Group)root;
        if (root.LinkExists("model_weights")) return root.Group("model_weights");
        throw new KerasFileException(path,
            $"'{path}' holds no Keras weights: it has neither a 'layer_names' attribute (save_weights) nor a 'model_weights' group (save).");
    });

    List<(KerasVariable variable, Saved saved)> MatchByPosition(IH5Group group, Model model, bool skipMismatch)
    {
        var layers = model.layers.Where(l => l.weights.Count > 0).ToList();
        var saved = new List<(string name, List<Saved> weights)>();
        foreach (var name in LayerNames(group))
        {
            var weights = ReadSubset(LayerGroup(group, name), "/" + name, name);
            if (weights.Count > 0) saved.Add((name, weights));
        }
        if (saved.Count != layers.Count)
            throw Error("Layer count mismatch when loading weights from file. " +
                        $"Model expected {layers.Count} layers, found {saved.Count} saved layers.");

        var result = new List<(KerasVariable variable, Saved saved)>();
        for (int k = 0; k < layers.Count; k++)
        {
            var layer = layers[k];
            var who = $"layer #{k} (named {layer.name} in the current model, {saved[k].name} in the save file)";
            MatchLayer(who, layer.weights, saved[k].weights, skipMismatch, result,
                message => $"Skipping loading of weights for {who}: {message}");
        }
        CheckTopLevel(group);
        return result;
    }

    List<(KerasVariable variable, Saved saved)> MatchByName(IH5Group group, Model model, bool skipMismatch)
    {
        var byName = model.layers.GroupBy(l => l.name).ToDictionary(g => g.Key, g => g.ToList());
        var names = LayerNames(group);
        var result = new List<(KerasVariable variable, Saved saved)>();
        for (int k = 0; k < names.Length; k++)
        {
            var values = ReadSubset(LayerGroup(group, names[k]), "/" + names[k], names[k]);
            if (!byName.TryGetValue(names[k], out var layers)) continue;
            foreach (var layer in layers)
            {
                var who = $"layer #{k} (named {layer.name})";
                MatchLayer(who, layer.weights, values, skipMismatch, result, _ =>
                    $"Skipping loading of weights for {who} due to mismatch in number of weights. " +
                    $"Layer expects {layer.weights.Count} weight(s). Received {values.Count} saved weight(s)");
            }
        }
        CheckTopLevel(group);
        return result;
    }

    /// <summary>
    /// Pairs one layer's weights with its saved values: a count mismatch fails (or, skipping, warns with
    /// <paramref name="skipWarning"/> of the error message, as Keras words it per loading mode); shapes are checked per weight.
    /// </summary>
    void MatchLayer(string who, IReadOnlyList<KerasVariable> symbolic, List<Saved> values, bool skipMismatch,
        List<(KerasVariable variable, Saved saved)> result, Func<string, string> skipWarning)
    {
        if (symbolic.Count != values.Count)
        {
            var message = $"Weight count mismatch for {who}. Layer expects {symbolic.Count} weight(s). Received {values.Count} saved weight(s)";
            if (!skipMismatch) throw Error(message);
            warn(skipWarning(message));
            return;
        }
        for (int i = 0; i < symbolic.Count; i++)
        {
            if (ShapeMatches(symbolic[i], values[i])) result.Add((symbolic[i], values[i]));
            else Mismatch(who, symbolic[i], values[i], skipMismatch);
        }
    }

    void Mismatch(string who, KerasVariable expected, Saved received, bool skipMismatch)
    {
        var detail = $"for weight {expected.name}. Weight expects shape {expected.shape}. Received saved weight with shape {received.Shape}";
        if (!skipMismatch) throw Error($"Shape mismatch in {who} {detail}");
        warn($"Skipping loading weights for {who} due to mismatch in shape {detail}");
    }

    static bool ShapeMatches(KerasVariable variable, Saved saved) => variable.shape.Equals(saved.Shape);

    /// <summary>Our models have no weights of their own, so saved top-level weights cannot go anywhere.</summary>
    void CheckTopLevel(IH5Group group)
    {
        if (Find(group, "", "top_level_model_weights") is not IH5Group topLevel) return;
        var count = H5Strings.ReadNames(topLevel, "weight_names", file.Length)?.Length ?? 0;
        if (count > 0)
            throw Error("Weight count mismatch for top-level weights when loading weights from file. " +
                        $"Model expects 0 top-level weight(s). Received {count} saved top-level weight(s)");
    }

    string[] LayerNames(IH5Group group) =>
        H5Strings.ReadNames(group, "layer_names", file.Length)
        ?? throw Error("the weights group has no 'layer_names' attribute.");

    IH5Group LayerGroup(IH5Group group, string name) =>
        Find(group, "", name) as IH5Group
        ?? throw Error($"'layer_names' lists '{name}', but the file has no group of that name.");

    /// <summary>The object at a '/'-separated path below <paramref name="root"/> (known by <paramref name="rootKey"/>), or null.</summary>
    IH5Object? Find(IH5Group root, string rootKey, string objectPath)
    {
        IH5Object current = root;
        var key = rootKey;
        foreach (var part in objectPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current is not IH5Group group) return null;
            if (!members.TryGetValue(key, out var children))
            {
                members[key] = children = new Dictionary<string, IH5Object>();
                foreach (var child in group.Children())
                    if (child.Name is string name) children.TryAdd(name, child);
            }
            if (!children.TryGetValue(part, out current!)) return null;
            key += "/" + part;
        }
        return current;
    }

    /// <summary>The datasets a group's <c>weight_names</c> list, in that order (<paramref name="groupKey"/>: its path, for the member cache).</summary>
    List<Saved> ReadSubset(IH5Group group, string groupKey, string layerName)
    {
        var names = H5Strings.ReadNames(group, "weight_names", file.Length) ?? Array.Empty<string>();
        var result = new List<Saved>(names.Length);
        foreach (var name in names)
        {
            var dataset = FindDataset(group, groupKey, name)
                ?? throw Error($"layer '{layerName}' lists the weight '{name}' in weight_names, but the file has no dataset of that name.");
            result.Add(new Saved(name, dataset, ShapeOf(dataset)));
        }
        return result;
    }

    /// <summary>The dataset for a weight name; Keras 3 writes names without ":0", Keras 2 with it.</summary>
    IH5Dataset? FindDataset(IH5Group group, string groupKey, string name)
    {
        var alternative = name.EndsWith(":0", StringComparison.Ordinal) ? name[..^2] : name + ":0";
        return Find(group, groupKey, name) as IH5Dataset ?? Find(group, groupKey, alternative) as IH5Dataset;
    }

    Shape ShapeOf(IH5Dataset dataset)
    {
        if (dataset.Space.Type == H5DataspaceType.Scalar) return new Shape(Array.Empty<long>());
        var dims = dataset.Space.Dimensions;
        if (dims.Any(d => d > int.MaxValue)) throw Error($"a dataset claims the impossible shape ({string.Join(", ", dims)}).");
        return new Shape(dims.Select(d => (long)d));
    }

    /// <summary>Reads a dataset of any numeric HDF5 type as a tensor of its shape (the variable converts the dtype).</summary>
    public Tensor ReadTensor(IH5Dataset dataset, string name)
    {
        var count = H5Guard.ElementCount(dataset.Space);
        var size = (long)dataset.Type.Size;
        // Uncompressed data cannot be larger than the file; deflate shrinks at most ~1000x.
        var bound = dataset.Layout.Class == H5DataLayoutClass.Chunked ? file.Length * 1100 : file.Length;
        if (count > bound / Math.Max(size, 1))
            throw Error($"the dataset of weight '{name}' claims {count} elements, more than the file can hold.");
        var shape = ShapeOf(dataset).ToLongArray();
        var type = dataset.Type;
        return (type.Class, type.Size) switch
        {
            (H5DataTypeClass.FloatingPoint, 4) => ReadInPlace<float>(dataset, shape, ScalarType.Float32),
            (H5DataTypeClass.FloatingPoint, 8) => ReadInPlace<double>(dataset, shape, ScalarType.Float64),
            (H5DataTypeClass.FloatingPoint, 2) => tensor(dataset.Read<Half[]>().Select(h => (float)h).ToArray(), shape),
            (H5DataTypeClass.FixedPoint, _) => ReadInteger(dataset, type.Size, type.FixedPoint.IsSigned, shape),
            _ => throw Error($"the weight '{name}' is stored as HDF5 {type.Class} ({type.Size} bytes), not as numbers."),
        };
    }

    /// <summary>
    /// Reads straight into a new tensor's memory: a model's worth of weights would otherwise pass through managed
    /// arrays that stay on the large-object heap until a full collection (hundreds of MB for a ResNet-50).
    /// </summary>
    static Tensor ReadInPlace<T>(IH5Dataset dataset, long[] shape, ScalarType dtype) where T : unmanaged
    {
        var result = empty(shape, dtype);
        if (result.numel() == 0) return result;
        // Tensor.bytes spans the tensor's own (CPU, contiguous) memory; files are always opened natively (H5Guard.Open).
        ((PureHDF.VOL.Native.NativeDataset)dataset).Read(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(result.bytes));
        return result;
    }

    Tensor ReadInteger(IH5Dataset dataset, int size, bool signed, long[] shape) => (size, signed) switch
    {
        (1, true) => tensor(dataset.Read<sbyte[]>(), shape),
        (1, false) => tensor(dataset.Read<byte[]>(), shape),
        (2, true) => tensor(dataset.Read<short[]>(), shape),
        (2, false) => tensor(dataset.Read<ushort[]>().Select(v => (int)v).ToArray(), shape),
        (4, true) => tensor(dataset.Read<int[]>(), shape),
        (4, false) => tensor(dataset.Read<uint[]>().Select(v => (long)v).ToArray(), shape),
        (8, true) => tensor(dataset.Read<long[]>(), shape),
        (8, false) => tensor(dataset.Read<ulong[]>().Select(v => (double)v).ToArray(), shape),
        _ => throw Error($"integers of {size} bytes are not a supported weight type."),
    };

    KerasFileException Error(string problem) => new(path, $"Cannot load weights from '{path}': {problem}");

    /// <summary>Reads every dataset a group's <c>weight_names</c> list (optimizer state), in order.</summary>
    public static (string[] names, List<Tensor> values) ReadAll(NativeFileHandle file, IH5Group group, string path)
    {
        var reader = new H5WeightsReader(file, path, _ => { });
        return H5Guard.Run(path, () =>
        {
            var saved = reader.ReadSubset(group, "", "optimizer_weights");
            return (saved.Select(s => s.Name).ToArray(), saved.Select(s => reader.ReadTensor(s.Dataset, s.Name)).ToList());
        });
    }
}
