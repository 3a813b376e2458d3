using RetinaNet.Core;
using RetinaNet.Core.Onnx;
using static RetinaNet.Core.Onnx.OnnxAttributes;

namespace RetinaNet.Layers.Onnx;

/// <summary>
/// ONNX mappings of RetinaNet's layers. Each reproduces its layer's float32 arithmetic operation by operation (anchors
/// from the feature map's run-time size, TF's nearest-neighbour index rule, clipping against the input's size) so
/// that the exported graph gives the engine's results on every image size.
/// </summary>
internal static class RetinaNetOnnxConverters
{
    public static void RegisterAll(OnnxLayerRegistry r)
    {
        r.Register<Anchors>(Anchors);
        r.Register<RegressBoxes>(RegressBoxes);
        r.Register<ClipBoxes>(ClipBoxes);
        r.Register<UpsampleLike>(UpsampleLike);
        r.Register<FilterDetections>(FilterDetectionsOnnx.Convert);
        r.RegisterAs<ResNetBatchNormalization, RetinaNet.Core.Layers.BatchNormalization>();
        r.RegisterAs<FixedDropout, RetinaNet.Core.Layers.Dropout>();
        r.Register<RetinaNet.Core.Layers.Lambda>(SeNetLambdaOnnx.Convert);
        TorchVisionOnnx.RegisterAll(r);
    }

    /// <summary>Height and width of a rank-4 value (in its own layout) as a 1-D int64 tensor [H, W].</summary>
    internal static string SpatialSize(OnnxGraph g, OnnxValue x) =>
        x.IsChannelsFirst ? g.Dims(x.Name, 2, 4) : g.Dims(x.Name, 1, 3);

    /// <summary>Element <paramref name="index"/> of a 1-D tensor, as a 1-D tensor of one element.</summary>
    internal static string Element(OnnxGraph g, string vector, long index) =>
        g.Add("Slice", new[] { vector, g.Int64s(index), g.Int64s(index + 1), g.Int64s(0) });

    /// <summary>A one-element 1-D tensor as a scalar.</summary>
    internal static string Scalar(OnnxGraph g, string oneElement) => g.Add("Squeeze", new[] { oneElement, g.Int64s(0) });

    /// <summary><c>(arange(count) + 0.5) · stride</c> in float32, the cell centres of one axis.</summary>
    static string Centres(OnnxGraph g, string count, int stride)
    {
        var range = g.Add("Range", new[] { g.Int64(0), Scalar(g, count), g.Int64(1) });
        var asFloat = g.Add("Cast", new[] { range }, Int("to", (long)OnnxType.Float));
        return g.Add("Mul", new[] { g.Add("Add", new[] { asFloat, g.Float(0.5f) }), g.Float(stride) });
    }

    /// <summary>Anchors: base anchors (A, 4) shifted to every cell, row ((y·W) + x)·A + a, broadcast over the batch.</summary>
    static IReadOnlyList<OnnxValue> Anchors(Anchors l, OnnxLayerContext c)
    {
        var g = c.Graph;
        var x = c.Input;
        var hw = SpatialSize(g, x);
        var height = Element(g, hw, 0);
        var width = Element(g, hw, 1);
        var shiftX = g.Add("Unsqueeze", new[] { Centres(g, width, l.stride), g.Int64s(0) });   // (1, W)
        var shiftY = g.Add("Unsqueeze", new[] { Centres(g, height, l.stride), g.Int64s(1) });  // (H, 1)
        var gridX = g.Add("Unsqueeze", new[] { g.Add("Expand", new[] { shiftX, hw }), g.Int64s(2) });
        var gridY = g.Add("Unsqueeze", new[] { g.Add("Expand", new[] { shiftY, hw }), g.Int64s(2) });
        var shifts = g.Add("Concat", new[] { gridX, gridY, gridX, gridY }, Int("axis", 2));      // (H, W, 4)
        shifts = g.Add("Reshape", new[] { shifts, g.Int64s(-1, 1, 4) });                         // (H·W, 1, 4)
        using var baseAnchors = l.anchors;
        var cell = g.Floats(baseAnchors.data<float>().ToArray(), 1, l.num_anchors, 4);
        var all = g.Add("Reshape", new[] { g.Add("Add", new[] { cell, shifts }), g.Int64s(1, -1, 4) });
        var batch = g.Add("Concat", new[] { g.Dims(x.Name, 0, 1), g.Int64s(1, 1) }, Int("axis", 0));
        return new[] { new OnnxValue(g.Add("Expand", new[] { all, batch }), 3) };
    }

    /// <summary>boxes + (deltas · std + mean) · (w, h, w, h), as <c>bbox_transform_inv</c>.</summary>
    static IReadOnlyList<OnnxValue> RegressBoxes(RegressBoxes l, OnnxLayerContext c)
    {
        var g = c.Graph;
        var boxes = c.ChannelsLast(c.Inputs[0]);
        var deltas = c.ChannelsLast(c.Inputs[1]);
        string Coordinate(int i) => g.Add("Slice", new[] { boxes, g.Int64s(i), g.Int64s(i + 1), g.Int64s(2) });
        var w = g.Add("Sub", new[] { Coordinate(2), Coordinate(0) });
        var h = g.Add("Sub", new[] { Coordinate(3), Coordinate(1) });
        var whwh = g.Add("Concat", new[] { w, h, w, h }, Int("axis", 2));
        var std = g.Floats(l.std.Select(v => (float)v).ToArray(), 4);
        var mean = g.Floats(l.mean.Select(v => (float)v).ToArray(), 4);
        var scaled = g.Add("Mul", new[] { g.Add("Add", new[] { g.Add("Mul", new[] { deltas, std }), mean }), whwh });
        return new[] { new OnnxValue(g.Add("Add", new[] { boxes, scaled }), 3) };
    }

    /// <summary>min(boxes, (W−1, H−1, W−1, H−1)) then max(·, 0), with the image's run-time size.</summary>
    static IReadOnlyList<OnnxValue> ClipBoxes(ClipBoxes l, OnnxLayerContext c)
    {
        var g = c.Graph;
        var hw = g.Add("Cast", new[] { SpatialSize(g, c.Inputs[0]) }, Int("to", (long)OnnxType.Float));
        var upper = g.Add("Gather", new[] { g.Add("Sub", new[] { hw, g.Float(1) }), g.Int64s(1, 0, 1, 0) }, Int("axis", 0));
        var below = g.Add("Min", new[] { c.ChannelsLast(c.Inputs[1]), upper });
        return new[] { new OnnxValue(g.Add("Max", new[] { below, g.Float(0) }), 3) };
    }

    /// <summary>TF1 nearest resize: index <c>min(floor(y · (float)in / out), in − 1)</c> in float32, as a gather per axis.</summary>
    static IReadOnlyList<OnnxValue> UpsampleLike(UpsampleLike l, OnnxLayerContext c)
    {
        var g = c.Graph;
        var source = c.ChannelsFirst(c.Inputs[0]);
        var inSize = g.Dims(source, 2, 4);
        var outSize = SpatialSize(g, c.Inputs[1]);
        var result = source;
        for (int axis = 0; axis < 2; axis++)
        {
            var input = Element(g, inSize, axis);
            var output = Element(g, outSize, axis);
            string AsFloat(string v) => g.Add("Cast", new[] { v }, Int("to", (long)OnnxType.Float));
            var scale = g.Add("Div", new[] { AsFloat(input), AsFloat(output) });
            var positions = AsFloat(g.Add("Range", new[] { g.Int64(0), Scalar(g, output), g.Int64(1) }));
            var floor = g.Add("Floor", new[] { g.Add("Mul", new[] { positions, scale }) });
            var index = g.Add("Min", new[] { g.Add("Cast", new[] { floor }, Int("to", (long)OnnxType.Int64)), g.Add("Sub", new[] { input, g.Int64s(1) }) });
            result = g.Add("Gather", new[] { result, index }, Int("axis", 2 + axis));
        }
        return new[] { new OnnxValue(result, 4, IsChannelsFirst: true) };
    }
}
