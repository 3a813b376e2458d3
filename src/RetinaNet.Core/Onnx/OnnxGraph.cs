using Google.Protobuf;
using Onnx;

namespace RetinaNet.Core.Onnx;

/// <summary>
/// An ONNX graph under construction (OnnxSharp's <see cref="GraphProto"/>): nodes with unique output names, weights
/// as initializers (shared weights are written once) and small constants. Layer converters add their nodes here.
/// </summary>
public sealed class OnnxGraph
{
    readonly HashSet<string> names = new();
    readonly Dictionary<object, string> initializers = new();
    readonly Dictionary<string, string> constants = new();

    /// <summary>The protobuf being built.</summary>
    public GraphProto Proto { get; } = new() { Name = "graph" };

    /// <summary>A name not used yet in the graph, based on <paramref name="hint"/>.</summary>
    public string UniqueName(string hint)
    {
        var name = hint;
        for (int i = 1; !names.Add(name); i++) name = $"{hint}_{i}";
        return name;
    }

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Add(string opType, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        AddMany(opType, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputCount"/> outputs and returns their names.</summary>
    public string[] AddMany(string opType, IEnumerable<string> inputs, int outputCount, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = UniqueName(opType) };
        node.Input.AddRange(inputs);
        var outputs = Enumerable.Range(0, outputCount).Select(i => UniqueName($"{node.Name}_out{i}")).ToArray();
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        Proto.Node.Add(node);
        return outputs;
    }

    /// <summary>
    /// A float32 initializer holding <paramref name="values"/>; <paramref name="owner"/> (a weight, or a weight and
    /// what was derived from it) makes a second request for the same data return the same initializer.
    /// </summary>
    public string Initializer(string hint, float[] values, long[] dims, object? owner = null)
    {
        if (owner is not null && initializers.TryGetValue(owner, out var existing)) return existing;
        var name = UniqueName(hint);
        var proto = new TensorProto { Name = name, DataType = (int)OnnxType.Float };
        proto.Dims.AddRange(dims);
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian.");
        proto.RawData = ByteString.CopyFrom(bytes);
        Proto.Initializer.Add(proto);
        if (owner is not null) initializers[owner] = name;
        return name;
    }

    /// <summary>A float32 constant (shared between requests for the same values and shape).</summary>
    public string Floats(float[] values, params long[] dims)
    {
        var key = "f:" + string.Join(",", dims) + ":" + string.Join(",", values.Select(v => BitConverter.SingleToInt32Bits(v)));
        if (constants.TryGetValue(key, out var name)) return name;
        name = Initializer("const", values, dims);
        constants[key] = name;
        return name;
    }

    /// <summary>A float32 scalar constant.</summary>
    public string Float(float value) => Floats(new[] { value });

    /// <summary>An int64 constant (shared between requests for the same values and shape).</summary>
    public string Int64s(long[] values, params long[] dims)
    {
        var key = "i:" + string.Join(",", dims) + ":" + string.Join(",", values);
        if (constants.TryGetValue(key, out var name)) return name;
        name = UniqueName("const");
        var proto = new TensorProto { Name = name, DataType = (int)OnnxType.Int64 };
        proto.Dims.AddRange(dims);
        proto.Int64Data.AddRange(values);
        Proto.Initializer.Add(proto);
        constants[key] = name;
        return name;
    }

    /// <summary>A 1-D int64 constant.</summary>
    public string Int64s(params long[] values) => Int64s(values, values.Length);

    /// <summary>An int64 scalar constant.</summary>
    public string Int64(long value) => Int64s(new[] { value }, Array.Empty<long>());

    /// <summary>The static or dynamic size of each listed axis of <paramref name="value"/>, as a 1-D int64 tensor.</summary>
    public string Dims(string value, int start, int end) =>
        Add("Shape", new[] { value }, OnnxAttributes.Int("start", start), OnnxAttributes.Int("end", end));

    /// <summary>Adds a graph input or output description.</summary>
    public static ValueInfoProto ValueInfo(string name, OnnxType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is string param
                ? new TensorShapeProto.Types.Dimension { DimParam = param }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture) });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}

/// <summary>ONNX element types used by the exporter (<c>TensorProto.DataType</c>).</summary>
public enum OnnxType
{
    /// <summary>float32.</summary>
    Float = 1,
    /// <summary>uint8.</summary>
    UInt8 = 2,
    /// <summary>int32.</summary>
    Int32 = 6,
    /// <summary>int64.</summary>
    Int64 = 7,
    /// <summary>bool.</summary>
    Bool = 9,
    /// <summary>float64.</summary>
    Double = 11,
}

/// <summary>Builds node attributes.</summary>
public static class OnnxAttributes
{
    /// <summary>An integer attribute.</summary>
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>An integer-list attribute.</summary>
    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>A float attribute.</summary>
    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>A string attribute.</summary>
    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>A tensor attribute (for <c>ConstantOfShape</c>'s value).</summary>
    public static AttributeProto Tensor(string name, TensorProto value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };
}
