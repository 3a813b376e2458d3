using RetinaNet.Core.Layers;
using static RetinaNet.Core.Onnx.OnnxAttributes;

namespace RetinaNet.Core.Onnx;

/// <summary>
/// <see cref="GroupNormalization"/> (rank 4, channels last) in ops of every opset we write (ONNX's own
/// GroupNormalization arrives in opset 18): NCHW reshaped to (N, G, C/G·H·W), minus the group mean, divided by
/// <c>sqrt(biased variance + ε)</c>, reshaped back, then γ and β per channel.
/// </summary>
internal static class GroupNormalizationOnnx
{
    public static IReadOnlyList<OnnxValue> Convert(GroupNormalization l, OnnxLayerContext c)
    {
        if (c.Input.Rank != 4 || (l.axis != -1 && l.axis != 3))
            throw new OnnxExportException($"GroupNormalization is exported for rank-4 inputs normalised over the channel axis (got rank {c.Input.Rank}, axis {l.axis}).");
        var g = c.Graph;
        var x = c.ChannelsFirst(c.Input);
        var grouped = g.Add("Reshape", new[] { x, g.Int64s(0, l.groups, -1) });
        var mean = g.Add("ReduceMean", new[] { grouped }, Ints("axes", 2), Int("keepdims", 1));
        var centred = g.Add("Sub", new[] { grouped, mean });
        var variance = g.Add("ReduceMean", new[] { g.Add("Mul", new[] { centred, centred }) }, Ints("axes", 2), Int("keepdims", 1));
        var std = g.Add("Sqrt", new[] { g.Add("Add", new[] { variance, g.Float((float)l.epsilon) }) });
        var normalised = g.Add("Reshape", new[] { g.Add("Div", new[] { centred, std }), g.Add("Shape", new[] { x }) });
        long channels = c.InputShapes[0][3] ?? throw new OnnxExportException("GroupNormalization needs a known channel count.");
        var y = normalised;
        if (l.gamma is not null) y = g.Add("Mul", new[] { y, c.Weight(l.gamma, "nchw", w => w.reshape(1, channels, 1, 1)) });
        if (l.beta is not null) y = g.Add("Add", new[] { y, c.Weight(l.beta, "nchw", w => w.reshape(1, channels, 1, 1)) });
        return new[] { new OnnxValue(y, 4, IsChannelsFirst: true) };
    }
}
