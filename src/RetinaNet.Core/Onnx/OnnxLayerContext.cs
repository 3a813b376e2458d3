using static TorchSharp.torch;

namespace RetinaNet.Core.Onnx;

/// <summary>What a layer converter works with: the graph, the layer's input values and Keras shapes, and helpers for
/// layouts and weights.</summary>
public sealed class OnnxLayerContext
{
    readonly Dictionary<(string name, bool channelsFirst), string> transposed;

    internal OnnxLayerContext(OnnxGraph graph, Node node, IReadOnlyList<OnnxValue> inputs,
        Dictionary<(string, bool), string> transposed)
    {
        Graph = graph;
        Inputs = inputs;
        InputShapes = node.input_tensors.Select(t => t.shape).ToList();
        OutputShapes = node.outputs.Select(t => t.shape).ToList();
        this.transposed = transposed;
    }

    /// <summary>The graph to add nodes to.</summary>
    public OnnxGraph Graph { get; }

    /// <summary>The layer's inputs, in the order of its Keras call.</summary>
    public IReadOnlyList<OnnxValue> Inputs { get; }

    /// <summary>The Keras (channels-last) shapes of the inputs; unknown axes are null.</summary>
    public IReadOnlyList<Shape> InputShapes { get; }

    /// <summary>The Keras shapes of the outputs.</summary>
    public IReadOnlyList<Shape> OutputShapes { get; }

    /// <summary>The single input (an error if the layer was called on several).</summary>
    public OnnxValue Input => Inputs.Count == 1
        ? Inputs[0]
        : throw new OnnxExportException($"Expected one input, got {Inputs.Count}.");

    /// <summary>The name of <paramref name="value"/> with rank-4 data laid out NCHW (transposed once if needed).</summary>
    public string ChannelsFirst(OnnxValue value)
    {
        if (value.Rank != 4) throw new OnnxExportException($"Only rank-4 tensors have a channels-first layout, got rank {value.Rank}.");
        return value.IsChannelsFirst ? value.Name : Transpose(value.Name, true);
    }

    /// <summary>The name of <paramref name="value"/> laid out as Keras sees it (channels-last).</summary>
    public string ChannelsLast(OnnxValue value) => value.IsChannelsFirst ? Transpose(value.Name, false) : value.Name;

    string Transpose(string name, bool toChannelsFirst)
    {
        if (transposed.TryGetValue((name, toChannelsFirst), out var done)) return done;
        var result = Graph.Add("Transpose", new[] { name },
            OnnxAttributes.Ints("perm", toChannelsFirst ? new long[] { 0, 3, 1, 2 } : new long[] { 0, 2, 3, 1 }));
        transposed[(name, toChannelsFirst)] = result;
        transposed[(result, !toChannelsFirst)] = name;
        return result;
    }

    /// <summary>
    /// A weight as a float32 initializer, in Keras layout or rearranged by <paramref name="transform"/> (e.g. a
    /// Conv2D kernel to ONNX's (out, in, kh, kw)); asking again for the same weight and purpose reuses it, so layers
    /// shared between calls (the RetinaNet heads) store their weights once.
    /// </summary>
    public string Weight(KerasVariable variable, string purpose = "keras", Func<Tensor, Tensor>? transform = null)
    {
        using var scope = NewDisposeScope();
        using var keras = variable.numpy();
        var value = (transform is null ? keras : transform(keras)).to(ScalarType.Float32).cpu().contiguous();
        return Graph.Initializer(variable.name.Replace(':', '_'), value.data<float>().ToArray(), value.shape, (variable, purpose));
    }

    /// <summary>A float32 initializer computed from weights (e.g. folded batch-norm scales), created once per key.</summary>
    public string Derived(object key, string hint, Func<Tensor> compute)
    {
        using var scope = NewDisposeScope();
        var value = compute().to(ScalarType.Float32).cpu().contiguous();
        return Graph.Initializer(hint, value.data<float>().ToArray(), value.shape, key);
    }
}
