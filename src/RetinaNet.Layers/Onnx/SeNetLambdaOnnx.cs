using RetinaNet.Core.Layers;
using RetinaNet.Core.Onnx;

namespace RetinaNet.Layers.Onnx;

/// <summary>
/// ONNX mappings of the Lambda functions of classification_models' SE backbones (<see cref="SeNetFunctions"/>):
/// <c>expand_dims</c> becomes an Unsqueeze to (B, C, 1, 1), which is already the channels-first layout the next 1×1
/// convolution wants; <c>slice_tensor</c> a Slice of the channel axis in whichever layout the value is held.
/// </summary>
internal static class SeNetLambdaOnnx
{
    public static IReadOnlyList<OnnxValue> Convert(Lambda l, OnnxLayerContext c)
    {
        var g = c.Graph;
        if (ReferenceEquals(l.function, SeNetFunctions.expand_dims))
            return new[] { new OnnxValue(g.Add("Unsqueeze", new[] { c.ChannelsLast(c.Input), g.Int64s(2, 3) }), 4, IsChannelsFirst: true) };
        if (ReferenceEquals(l.function, SeNetFunctions.slice_tensor))
        {
            var x = c.Input;
            long Arg(string key) => l.arguments[key]?.GetValue<long>() ?? throw new OnnxExportException($"Lambda '{l.name}': argument '{key}' is missing.");
            var y = g.Add("Slice", new[] { x.Name, g.Int64s(Arg("start")), g.Int64s(Arg("stop")), g.Int64s(x.OnnxAxis(3)) });
            return new[] { x with { Name = y } };
        }
        throw new OnnxExportException($"Lambda layer '{l.name}' wraps '{l.function.name}', which has no ONNX mapping; " +
            "register one for Lambda on the registry before exporting.");
    }
}
