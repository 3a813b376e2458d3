using RetinaNet.Core.Onnx;
using RetinaNet.Layers.TorchVision;
using static RetinaNet.Core.Onnx.OnnxAttributes;
using static RetinaNet.Layers.Onnx.RetinaNetOnnxConverters;

namespace RetinaNet.Layers.Onnx;

/// <summary>
/// ONNX mappings of the torchvision RetinaNet layers, computing from the run-time image size what the layers compute:
/// the padding to a multiple of 32, torchvision's resize (float32 scale, floored sizes, bilinear with half-pixel
/// centres), its anchors (feature sizes <c>(n − 1) / 2 + 1</c> per stride-2 step, strides <c>padded // feature</c>,
/// cells at <c>x · stride</c>), its box coder with the dw/dh clamp, the per-level top-k and the per-axis rescaling.
/// </summary>
internal static class TorchVisionOnnx
{
    public static void RegisterAll(OnnxLayerRegistry r)
    {
        r.Register<TorchVisionInput>(Pad);
        r.Register<TorchVisionResize>(Resize);
        r.Register<TorchVisionCandidates>(Candidates);
        r.Register<TorchVisionRescaleBoxes>(Rescale);
    }

    static string AsFloat(OnnxGraph g, string v) => g.Add("Cast", new[] { v }, Int("to", (long)OnnxType.Float));

    /// <summary>[H, W] rounded up to a multiple of <paramref name="multiple"/> (int64).</summary>
    static string RoundUp(OnnxGraph g, string hw, long multiple)
    {
        var m = g.Int64s(multiple);
        var pad = g.Add("Mod", new[] { g.Add("Sub", new[] { m, g.Add("Mod", new[] { hw, m }) }), m });
        return g.Add("Add", new[] { hw, pad });
    }

    static IReadOnlyList<OnnxValue> Pad(TorchVisionInput l, OnnxLayerContext c)
    {
        var g = c.Graph;
        var x = c.ChannelsFirst(c.Input);
        var hw = g.Dims(x, 2, 4);
        var extra = g.Add("Sub", new[] { RoundUp(g, hw, l.size_divisible), hw });
        var pads = g.Add("Concat", new[] { g.Int64s(0, 0, 0, 0, 0, 0), extra }, Int("axis", 0));
        return new[] { new OnnxValue(g.Add("Pad", new[] { x, pads, g.Float(0) }), 4, IsChannelsFirst: true) };
    }

    static IReadOnlyList<OnnxValue> Resize(TorchVisionResize l, OnnxLayerContext c)
    {
        var g = c.Graph;
        var x = c.ChannelsFirst(c.Input);
        var hw = g.Dims(x, 2, 4);
        var hwFloat = AsFloat(g, hw);
        var shortSide = g.Add("ReduceMin", new[] { hwFloat }, Int("keepdims", 1));
        var longSide = g.Add("ReduceMax", new[] { hwFloat }, Int("keepdims", 1));
        var scale = g.Add("Min", new[]
        {
            g.Add("Div", new[] { g.Float(l.min_size), shortSide }), g.Add("Div", new[] { g.Float(l.max_size), longSide }),
        });
        // floor(side · scale) in double precision, as interpolate computes the output size.
        string AsDouble(string v) => g.Add("Cast", new[] { v }, Int("to", (long)OnnxType.Double));
        var size = g.Add("Cast", new[] { g.Add("Floor", new[] { g.Add("Mul", new[] { AsDouble(hw), AsDouble(scale) }) }) },
            Int("to", (long)OnnxType.Int64));
        var sizes = g.Add("Concat", new[] { g.Dims(x, 0, 2), size }, Int("axis", 0));
        var y = g.Add("Resize", new[] { x, "", "", sizes },
            String("mode", "linear"), String("coordinate_transformation_mode", "pytorch_half_pixel"));
        return new[] { new OnnxValue(y, 4, IsChannelsFirst: true) };
    }

    static IReadOnlyList<OnnxValue> Rescale(TorchVisionRescaleBoxes l, OnnxLayerContext c)
    {
        var g = c.Graph;
        var original = AsFloat(g, SpatialSize(g, c.Inputs[0]));
        var resized = AsFloat(g, SpatialSize(g, c.Inputs[1]));
        var ratios = g.Add("Gather", new[] { g.Add("Div", new[] { resized, original }), g.Int64s(1, 0, 1, 0) }, Int("axis", 0));
        var boxes = c.ChannelsLast(c.Inputs[2]);
        var x1 = g.Add("Slice", new[] { boxes, g.Int64s(0), g.Int64s(1), g.Int64s(2) });
        var padding = g.Add("Equal", new[] { x1, g.Float(-1) });
        return new[] { new OnnxValue(g.Add("Where", new[] { padding, boxes, g.Add("Div", new[] { boxes, ratios }) }), 3) };
    }

    static IReadOnlyList<OnnxValue> Candidates(TorchVisionCandidates l, OnnxLayerContext c)
    {
        var g = c.Graph;
        long numClasses = c.InputShapes[2][2] ?? throw new OnnxExportException("TorchVisionCandidates needs a known number of classes.");
        var hw = SpatialSize(g, c.Inputs[0]);
        var hwFloat = AsFloat(g, hw);
        var padded = RoundUp(g, hw, TorchVisionTransform.SizeDivisible);
        var regression = c.ChannelsLast(c.Inputs[1]);
        var classification = c.ChannelsLast(c.Inputs[2]);
        string Half(string n) => g.Add("Add", new[] { g.Add("Div", new[] { g.Add("Sub", new[] { n, g.Int64s(1) }), g.Int64s(2) }), g.Int64s(1) });
        var feature = Half(Half(padded)); // the stem: conv1 and the max pooling
        var start = g.Int64s(0);
        var boxes = new List<string>();
        var scores = new List<string>();
        for (int level = 0; level < 5; level++)
        {
            feature = Half(feature);
            var stride = g.Add("Div", new[] { padded, feature });
            var anchors = LevelAnchors(g, feature, stride, level);                                     // (count, 4)
            var count = g.Add("ReduceProd", new[] { g.Add("Mul", new[] { feature, g.Int64s(1, TorchVisionRetinaNet.NumAnchors) }) }, Int("keepdims", 1));
            var end = g.Add("Add", new[] { start, count });
            var levelScores = g.Add("Slice", new[] { classification, start, end, g.Int64s(1) });
            var flat = g.Add("Reshape", new[] { levelScores, g.Int64s(0, -1) });                      // (B, count·K)
            var k = g.Add("Min", new[] { g.Int64s(l.topk_candidates), g.Add("Mul", new[] { count, g.Int64s(numClasses) }) });
            var topk = g.AddMany("TopK", new[] { flat, k }, 2, Int("axis", 1), Int("largest", 1), Int("sorted", 1));
            var (top, indices) = (topk[0], topk[1]);
            var anchorIndex = g.Add("Div", new[] { indices, g.Int64(numClasses) });                   // (B, k)
            var label = g.Add("Mod", new[] { indices, g.Int64(numClasses) });
            var levelRegression = g.Add("Slice", new[] { regression, start, end, g.Int64s(1) });
            var gatherIndex = g.Add("Expand", new[] { g.Add("Unsqueeze", new[] { anchorIndex, g.Int64s(2) }), g.Int64s(1, 1, 4) });
            var deltas = g.Add("GatherElements", new[] { levelRegression, gatherIndex }, Int("axis", 1));  // (B, k, 4)
            var anchorRows = g.Add("Gather", new[] { anchors, anchorIndex }, Int("axis", 0));               // (B, k, 4)
            boxes.Add(Clip(g, Decode(g, deltas, anchorRows), hwFloat));
            var kept = g.Add("Where", new[] { g.Add("Greater", new[] { top, g.Float((float)l.score_thresh) }), top, g.Float(0) });
            var classes = g.Add("Range", new[] { g.Int64(0), g.Int64(numClasses), g.Int64(1) });
            var oneHot = AsFloat(g, g.Add("Equal", new[] { g.Add("Unsqueeze", new[] { label, g.Int64s(2) }), classes }));
            scores.Add(g.Add("Mul", new[] { oneHot, g.Add("Unsqueeze", new[] { kept, g.Int64s(2) }) }));   // (B, k, K)
            start = end;
        }
        return new[]
        {
            new OnnxValue(g.Add("Concat", boxes, Int("axis", 1)), 3),
            new OnnxValue(g.Add("Concat", scores, Int("axis", 1)), 3),
        };
    }

    /// <summary>One level's anchors (H·W·9, 4), rows (y, x, anchor): base anchors shifted by (x·stride_w, y·stride_h).</summary>
    static string LevelAnchors(OnnxGraph g, string feature, string stride, int level)
    {
        string Axis(int i, int unsqueezeAxis)
        {
            var n = Scalar(g, Element(g, feature, i));
            var positions = g.Add("Mul", new[] { g.Add("Range", new[] { g.Int64(0), n, g.Int64(1) }), Element(g, stride, i) });
            return g.Add("Unsqueeze", new[] { AsFloat(g, positions), g.Int64s(unsqueezeAxis) });
        }
        var shiftY = Axis(0, 1);  // (H, 1)
        var shiftX = Axis(1, 0);  // (1, W)
        var gridX = g.Add("Unsqueeze", new[] { g.Add("Expand", new[] { shiftX, feature }), g.Int64s(2) });
        var gridY = g.Add("Unsqueeze", new[] { g.Add("Expand", new[] { shiftY, feature }), g.Int64s(2) });
        var shifts = g.Add("Reshape", new[] { g.Add("Concat", new[] { gridX, gridY, gridX, gridY }, Int("axis", 2)), g.Int64s(-1, 1, 4) });
        var cell = g.Floats(TorchVisionAnchorGenerator.BaseAnchors(level), 1, TorchVisionRetinaNet.NumAnchors, 4);
        return g.Add("Reshape", new[] { g.Add("Add", new[] { shifts, cell }), g.Int64s(-1, 4) });
    }

    /// <summary><see cref="TorchVisionBoxCoder.Decode"/> on (B, k, 4) deltas and anchors, in its operation order.</summary>
    static string Decode(OnnxGraph g, string deltas, string anchors)
    {
        string Coordinate(string v, int i) => g.Add("Slice", new[] { v, g.Int64s(i), g.Int64s(i + 1), g.Int64s(2) });
        var x1 = Coordinate(anchors, 0); var y1 = Coordinate(anchors, 1);
        var w = g.Add("Sub", new[] { Coordinate(anchors, 2), x1 });
        var h = g.Add("Sub", new[] { Coordinate(anchors, 3), y1 });
        var half = g.Float(0.5f);
        var cx = g.Add("Add", new[] { x1, g.Add("Mul", new[] { w, half }) });
        var cy = g.Add("Add", new[] { y1, g.Add("Mul", new[] { h, half }) });
        var clip = g.Float((float)TorchVisionBoxCoder.Clip);
        var dw = g.Add("Min", new[] { Coordinate(deltas, 2), clip });
        var dh = g.Add("Min", new[] { Coordinate(deltas, 3), clip });
        var px = g.Add("Add", new[] { g.Add("Mul", new[] { Coordinate(deltas, 0), w }), cx });
        var py = g.Add("Add", new[] { g.Add("Mul", new[] { Coordinate(deltas, 1), h }), cy });
        var halfW = g.Add("Mul", new[] { g.Add("Mul", new[] { g.Add("Exp", new[] { dw }), w }), half });
        var halfH = g.Add("Mul", new[] { g.Add("Mul", new[] { g.Add("Exp", new[] { dh }), h }), half });
        return g.Add("Concat", new[]
        {
            g.Add("Sub", new[] { px, halfW }), g.Add("Sub", new[] { py, halfH }), g.Add("Add", new[] { px, halfW }), g.Add("Add", new[] { py, halfH }),
        }, Int("axis", 2));
    }

    /// <summary>x to [0, W], y to [0, H] of the resized image (torchvision's <c>clip_boxes_to_image</c>).</summary>
    static string Clip(OnnxGraph g, string boxes, string hwFloat)
    {
        var upper = g.Add("Gather", new[] { hwFloat, g.Int64s(1, 0, 1, 0) }, Int("axis", 0));
        return g.Add("Min", new[] { g.Add("Max", new[] { boxes, g.Float(0) }), upper });
    }
}
