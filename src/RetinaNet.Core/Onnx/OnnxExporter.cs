using Onnx;

namespace RetinaNet.Core.Onnx;

/// <summary>How <see cref="OnnxExporter"/> writes a model.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The ONNX opset written (17 by default; the checker of ONNX 1.12 accepts up to 17).</summary>
    public int Opset { get; init; } = 17;

    /// <summary>Layer mappings; null for <see cref="OnnxLayerRegistry.Builtin"/>.</summary>
    public OnnxLayerRegistry? Converters { get; init; }

    /// <summary>Names of the graph outputs (default: the output layers' names).</summary>
    public IReadOnlyList<string>? OutputNames { get; init; }

    /// <summary>Name of the graph input (for one-input models; default the input layer's name).</summary>
    public string? InputName { get; init; }

    /// <summary>Element type of the graph inputs (float32 unless <see cref="InputTransform"/> takes another).</summary>
    public OnnxType InputType { get; init; } = OnnxType.Float;

    /// <summary>Nodes between a graph input (NHWC) and the model, e.g. a cast and normalisation folded into the file.</summary>
    public Func<OnnxGraph, string, string>? InputTransform { get; init; }

    /// <summary>Names for the input axes with unknown size (default batch, height, width, ...).</summary>
    public IReadOnlyList<string>? InputDimNames { get; init; }

    /// <summary>Key/value pairs stored in the model's <c>metadata_props</c>.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>
/// Writes a functional <see cref="Model"/> as a standard ONNX file: walks the graph in execution order (nested models
/// inline, shared layers' weights stored once) and asks the <see cref="OnnxLayerRegistry"/> for each layer's nodes.
/// Inputs and outputs are channels-last like the Keras model; inside, feature maps stay channels-first from the first
/// layer that wants them so until one needs channels-last again.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The ONNX IR version written (8: what ONNX 1.12's checker, and every current runtime, accepts).</summary>
    public const int IrVersion = 8;

    /// <summary>Builds the ONNX model.</summary>
    public static ModelProto ToModelProto(Model model, OnnxExportOptions? options = null)
    {
        options ??= new OnnxExportOptions();
        if (options.Opset is < 13 or > 17)
            throw new OnnxExportException($"opset {options.Opset} is not supported: the exporter writes opsets 13 to 17.");
        var registry = options.Converters ?? OnnxLayerRegistry.Builtin();
        var graph = new OnnxGraph();
        graph.Proto.Name = model.name;
        var transposed = new Dictionary<(string, bool), string>();

        var inputs = new List<OnnxValue>();
        for (int i = 0; i < model.inputs.Count; i++)
        {
            var tensor = model.inputs[i];
            var name = graph.UniqueName(i == 0 && options.InputName is not null ? options.InputName : tensor.layer.name);
            var dims = tensor.shape.Select((d, axis) => d is long v ? (object)v
                : options.InputDimNames is { } n && axis < n.Count ? n[axis] : DefaultDimName(axis, tensor.shape.rank)).ToArray();
            graph.Proto.Input.Add(OnnxGraph.ValueInfo(name, options.InputType, dims));
            var value = options.InputTransform is null ? name : options.InputTransform(graph, name);
            inputs.Add(new OnnxValue(value, tensor.shape.rank));
        }

        var outputs = Walk(model, inputs, graph, registry, transposed);
        for (int i = 0; i < outputs.Count; i++)
        {
            var keras = model.outputs[i];
            var name = graph.UniqueName(options.OutputNames is { } names && i < names.Count ? names[i] : keras.name.Replace('/', '_'));
            var layoutFixed = new OnnxLayerContext(graph, keras.node, Array.Empty<OnnxValue>(), transposed).ChannelsLast(outputs[i]);
            graph.Proto.Node.Add(new NodeProto { OpType = "Identity", Name = graph.UniqueName("Identity"), Input = { layoutFixed }, Output = { name } });
            var dims = keras.shape.Select((d, axis) => d is long v ? (object)v : $"{name}_{axis}").ToArray();
            graph.Proto.Output.Add(OnnxGraph.ValueInfo(name, outputs[i].Type, dims));
        }

        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "RetinaNet for .NET",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "",
            Graph = graph.Proto,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
        foreach (var (key, value) in options.Metadata ?? new Dictionary<string, string>())
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return proto;
    }

    /// <summary>Writes the model to <paramref name="path"/> (through a temporary file, so a failed export leaves no partial file).</summary>
    public static void Export(Model model, string path, OnnxExportOptions? options = null)
    {
        var proto = ToModelProto(model, options);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            proto.WriteToFile(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    static string DefaultDimName(int axis, int rank) => axis switch
    {
        0 => "batch",
        1 when rank == 4 => "height",
        2 when rank == 4 => "width",
        _ => $"dim{axis}",
    };

    /// <summary>Converts one call of <paramref name="model"/> on <paramref name="inputs"/>; nested models recurse.</summary>
    static IReadOnlyList<OnnxValue> Walk(Model model, IReadOnlyList<OnnxValue> inputs, OnnxGraph graph,
        OnnxLayerRegistry registry, Dictionary<(string, bool), string> transposed)
    {
        var values = new Dictionary<KerasTensor, OnnxValue>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < inputs.Count; i++) values[model.inputs[i]] = inputs[i];
        foreach (var node in model.nodes)
        {
            if (node.is_input) continue;
            var args = node.input_tensors.Select(t => values[t]).ToList();
            IReadOnlyList<OnnxValue> results;
            if (node.layer is Model inner)
                results = Walk(inner, args, graph, registry, transposed);
            else
            {
                var converter = registry.For(node.layer);
                try { results = converter(node.layer, new OnnxLayerContext(graph, node, args, transposed)); }
                catch (OnnxExportException e) when (!e.Message.StartsWith("Layer '", StringComparison.Ordinal))
                {
                    throw new OnnxExportException($"Layer '{node.layer.name}' ({node.layer.class_name}): {e.Message}");
                }
            }
            if (results.Count != node.outputs.Count)
                throw new OnnxExportException(
                    $"Layer '{node.layer.name}' ({node.layer.class_name}): its ONNX mapping returned {results.Count} value(s) for {node.outputs.Count} output(s).");
            for (int i = 0; i < results.Count; i++) values[node.outputs[i]] = results[i];
        }
        return model.outputs.Select(t => values[t]).ToList();
    }
}
