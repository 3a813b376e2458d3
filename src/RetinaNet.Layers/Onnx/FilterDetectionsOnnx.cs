using RetinaNet.Core;
using RetinaNet.Core.Onnx;
using static RetinaNet.Core.Onnx.OnnxAttributes;

namespace RetinaNet.Layers.Onnx;

/// <summary>
/// <see cref="FilterDetections"/> as ONNX nodes, for a whole batch at once:
/// <list type="number">
/// <item>candidates: with NMS, ONNX <c>NonMaxSuppression</c> per (image, class) with the layer's thresholds and
/// at most <c>max_detections</c> per class (score strictly above the threshold, visited by descending score, ties by
/// lower box index, IoU strictly above the threshold suppresses: TensorFlow's rule, which the layer follows);
/// without NMS, every pair above the threshold;</item>
/// <item>the kept scores are scattered into a (B, C·N) matrix of −∞ at column <c>class·N + box</c>;</item>
/// <item><c>TopK</c> takes the <c>max_detections</c> best per image. TopK breaks ties by the lower column, and
/// column order is the layer's candidate order (class-major, then NMS order, whose ties are by box index), so
/// the result is the layer's stable sort;</item>
/// <item>entries that are not kept candidates (−∞) and the columns past C·N become −1, as the layer pads.</item>
/// </list>
/// Without class-specific filtering the single column is each box's best score and the label its argmax.
/// </summary>
internal static class FilterDetectionsOnnx
{
    public static IReadOnlyList<OnnxValue> Convert(FilterDetections l, OnnxLayerContext c)
    {
        if (c.Inputs.Count < 2) throw new OnnxExportException("FilterDetections expects [boxes, classification, *other].");
        var g = c.Graph;
        var boxes = c.ChannelsLast(c.Inputs[0]);
        var classification = c.ChannelsLast(c.Inputs[1]);
        string? bestLabels = null;
        string scores; // (B, C, N)
        if (l.class_specific_filter)
            scores = g.Add("Transpose", new[] { classification }, Ints("perm", 0, 2, 1));
        else
        {
            var best = g.Add("ReduceMax", new[] { classification }, Ints("axes", 2), Int("keepdims", 1));
            bestLabels = g.Add("ArgMax", new[] { classification }, Int("axis", 2), Int("keepdims", 0));
            scores = g.Add("Transpose", new[] { best }, Ints("perm", 0, 2, 1));
        }
        var batch = g.Dims(scores, 0, 1);
        var columns = g.Dims(scores, 1, 2);
        var anchors = g.Dims(scores, 2, 3);
        var flatSize = g.Add("Mul", new[] { columns, anchors });
        var negativeInfinity = g.Float(float.NegativeInfinity);

        string dense; // (B, C·N): kept scores, −∞ elsewhere
        if (l.nms)
        {
            var selected = g.Add("NonMaxSuppression", new[]
            {
                boxes, scores, g.Int64s(l.max_detections), g.Floats(new[] { (float)l.nms_threshold }, 1),
                g.Floats(new[] { (float)l.score_threshold }, 1),
            });
            var keptScores = g.Add("GatherND", new[] { scores, selected });
            string Column(long i) => g.Add("Slice", new[] { selected, g.Int64s(i), g.Int64s(i + 1), g.Int64s(1) });
            var flat = g.Add("Add", new[] { g.Add("Mul", new[] { Column(1), anchors }), Column(2) });
            var indices = g.Add("Concat", new[] { Column(0), flat }, Int("axis", 1));
            var empty = g.Add("Expand", new[] { negativeInfinity, g.Add("Concat", new[] { batch, flatSize }, Int("axis", 0)) });
            dense = g.Add("ScatterND", new[] { empty, indices, keptScores });
        }
        else
        {
            var flatScores = g.Add("Reshape", new[] { scores, g.Int64s(0, -1) });
            var above = g.Add("Greater", new[] { flatScores, g.Float((float)l.score_threshold) });
            dense = g.Add("Where", new[] { above, flatScores, negativeInfinity });
        }

        var k = g.Add("Min", new[] { flatSize, g.Int64s(l.max_detections) });
        var top = g.AddMany("TopK", new[] { dense, k }, 2, Int("axis", 1), Int("largest", 1), Int("sorted", 1));
        var (values, positions) = (top[0], top[1]);
        var valid = g.Add("Greater", new[] { values, negativeInfinity });
        var boxIndices = g.Add("Mod", new[] { positions, anchors });
        var labels = bestLabels is null
            ? g.Add("Div", new[] { positions, anchors })
            : g.Add("GatherElements", new[] { bestLabels, boxIndices }, Int("axis", 1));
        var gatherIndices = g.Add("Unsqueeze", new[] { boxIndices, g.Int64s(2) });
        var padding = g.Add("Sub", new[] { g.Int64s(l.max_detections), k });

        string Finish(string selectedValues, int rank, OnnxValue like)
        {
            var mask = rank == 2 ? valid : g.Add("Unsqueeze", new[] { valid, g.Int64s(Enumerable.Range(2, rank - 2).Select(i => (long)i).ToArray()) });
            var minusOne = g.Add("CastLike", new[] { g.Float(-1), selectedValues });
            var masked = g.Add("Where", new[] { mask, selectedValues, minusOne });
            // Pads (begin of every axis, then end of every axis): only the detections axis grows, at its end.
            var pads = g.Add("Concat", new[] { g.Int64s(new long[rank + 1], rank + 1), padding, g.Int64s(new long[rank - 2], rank - 2) }, Int("axis", 0));
            return g.Add("Pad", new[] { masked, pads, minusOne });
        }

        var outputs = new List<OnnxValue>
        {
            new(Finish(g.Add("GatherND", new[] { boxes, gatherIndices }, Int("batch_dims", 1)), 3, c.Inputs[0]), 3),
            new(Finish(values, 2, c.Inputs[1]), 2),
            new(Finish(g.Add("Cast", new[] { labels }, Int("to", (long)OnnxType.Int32)), 2, c.Inputs[1]), 2, Type: OnnxType.Int32),
        };
        foreach (var other in c.Inputs.Skip(2))
        {
            var gathered = g.Add("GatherND", new[] { c.ChannelsLast(other), gatherIndices }, Int("batch_dims", 1));
            outputs.Add(new OnnxValue(Finish(gathered, other.Rank, other), other.Rank, Type: other.Type));
        }
        return outputs;
    }
}
