using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers;

public class FilterDetectionsTests
{
    // b0 and b1 overlap with IoU 90/110 ≈ 0.82 (> 0.5); b2 is apart; b3 equals b0.
    static readonly float[] BoxValues = { 0, 0, 10, 10, 1, 0, 11, 10, 20, 20, 30, 30, 0, 0, 10, 10 };
    // Scores per box for classes 0 and 1; b3's 0.05 is not strictly above the 0.05 threshold.
    static readonly float[] ScoreValues = { 0.9f, 0.3f, 0.8f, 0.6f, 0.04f, 0.7f, 0.05f, 0.01f };

    static Tensor Boxes() => tensor(BoxValues, new long[] { 1, 4, 4 });
    static Tensor Scores() => tensor(ScoreValues, new long[] { 1, 4, 2 });

    static float[] BoxRow(int i) => BoxValues.Skip(i * 4).Take(4).ToArray();
    static float[] Padding(int rows, int width) => Enumerable.Repeat(-1f, rows * width).ToArray();

    static Tensors Run(FilterDetections layer, params Tensor[] inputs) => layer.Apply(new Tensors(inputs));

    [Test]
    public void ClassSpecific_NmsPerClass_ThenTopByScore_PaddedWithMinusOne()
    {
        // Class 0: b0 (0.9) suppresses b1 (0.8). Class 1: b2 (0.7), then b1 (0.6, no overlap with b2),
        // then b0 (0.3) is suppressed by b1. Overall by score: (b0, 0, 0.9), (b2, 1, 0.7), (b1, 1, 0.6).
        using var boxes = Boxes();
        using var scores = Scores();
        var outputs = Run(new FilterDetections(max_detections: 5), boxes, scores);
        Assert.That(outputs.Count, Is.EqualTo(3));
        Assert.That(outputs[0].shape, Is.EqualTo(new long[] { 1, 5, 4 }));
        Assert.That(outputs[0].data<float>().ToArray(),
            Is.EqualTo(BoxRow(0).Concat(BoxRow(2)).Concat(BoxRow(1)).Concat(Padding(2, 4))));
        Assert.That(outputs[1].data<float>().ToArray(), Is.EqualTo(new[] { 0.9f, 0.7f, 0.6f, -1, -1 }));
        Assert.That(outputs[2].dtype, Is.EqualTo(ScalarType.Int32));
        Assert.That(outputs[2].data<int>().ToArray(), Is.EqualTo(new[] { 0, 1, 1, -1, -1 }));
    }

    [Test]
    public void NotClassSpecific_BestClassThenOneNmsPass()
    {
        // Best classes: b0 → (0, 0.9), b1 → (0, 0.8), b2 → (1, 0.7), b3 → (0, 0.05, not kept).
        // NMS over all: b1 is suppressed by b0 although both are class 0 only by their best score.
        using var boxes = Boxes();
        using var scores = Scores();
        var outputs = Run(new FilterDetections(class_specific_filter: false, max_detections: 4), boxes, scores);
        Assert.That(outputs[0].data<float>().ToArray(), Is.EqualTo(BoxRow(0).Concat(BoxRow(2)).Concat(Padding(2, 4))));
        Assert.That(outputs[1].data<float>().ToArray(), Is.EqualTo(new[] { 0.9f, 0.7f, -1, -1 }));
        Assert.That(outputs[2].data<int>().ToArray(), Is.EqualTo(new[] { 0, 1, -1, -1 }));
    }

    [Test]
    public void WithoutNms_AllPairsAboveThreshold_TruncatedToMaxDetections()
    {
        // Pairs above 0.05: 0.9 (b0,0), 0.8 (b1,0), 0.7 (b2,1), 0.6 (b1,1), 0.3 (b0,1); keep the best 4.
        using var boxes = Boxes();
        using var scores = Scores();
        var outputs = Run(new FilterDetections(nms: false, max_detections: 4), boxes, scores);
        Assert.That(outputs[1].data<float>().ToArray(), Is.EqualTo(new[] { 0.9f, 0.8f, 0.7f, 0.6f }));
        Assert.That(outputs[2].data<int>().ToArray(), Is.EqualTo(new[] { 0, 0, 1, 1 }));
        Assert.That(outputs[0].data<float>().ToArray(), Is.EqualTo(BoxRow(0).Concat(BoxRow(1)).Concat(BoxRow(2)).Concat(BoxRow(1))));
    }

    [Test]
    public void EqualScores_KeepClassMajorOrder()
    {
        // Two separate boxes scoring 0.5 for both classes: ties are listed class by class, boxes ascending.
        using var boxes = tensor(new float[] { 0, 0, 1, 1, 5, 5, 6, 6 }, new long[] { 1, 2, 4 });
        using var scores = full(new long[] { 1, 2, 2 }, 0.5f);
        var outputs = Run(new FilterDetections(max_detections: 4), boxes, scores);
        Assert.That(outputs[2].data<int>().ToArray(), Is.EqualTo(new[] { 0, 0, 1, 1 }));
        Assert.That(outputs[0][0, .., 0].data<float>().ToArray(), Is.EqualTo(new float[] { 0, 5, 0, 5 }));
    }

    [Test]
    public void BatchOfTwo_WithOtherOutput_AndAnEmptyImage()
    {
        // Image 0 as above; image 1 has no score above the threshold. "other" (B, N, 3) follows the boxes.
        using var boxes = cat(new[] { Boxes(), Boxes() }, 0);
        using var low = full(new long[] { 1, 4, 2 }, 0.01f);
        using var scores = cat(new[] { Scores(), low }, 0);
        using var other = arange(2 * 4 * 3, dtype: ScalarType.Float32).reshape(2, 4, 3);
        var layer = new FilterDetections(max_detections: 3);
        var outputs = Run(layer, boxes, scores, other);
        Assert.That(outputs.Count, Is.EqualTo(4));
        Assert.That(outputs[3].shape, Is.EqualTo(new long[] { 2, 3, 3 }));
        // Image 0 keeps b0, b2, b1: their "other" rows are 0..2, 6..8, 3..5.
        Assert.That(outputs[3][0].data<float>().ToArray(), Is.EqualTo(new float[] { 0, 1, 2, 6, 7, 8, 3, 4, 5 }));
        Assert.That(outputs[2][0].data<int>().ToArray(), Is.EqualTo(new[] { 0, 1, 1 }));
        Assert.That(outputs[0][1].data<float>().ToArray(), Is.All.EqualTo(-1f));
        Assert.That(outputs[1][1].data<float>().ToArray(), Is.All.EqualTo(-1f));
        Assert.That(outputs[2][1].data<int>().ToArray(), Is.All.EqualTo(-1));
        Assert.That(outputs[3][1].data<float>().ToArray(), Is.All.EqualTo(-1f));

        var shapes = layer.compute_output_shape(new Shapes(new[] { new Shape(null, null, 4), new Shape(null, null, 2), new Shape(null, null, 3) }));
        Assert.That(shapes.Select(s => s.ToString()), Is.EqualTo(new[] { "(None, 3, 4)", "(None, 3)", "(None, 3)", "(None, 3, 3)" }));
    }

    [Test]
    public void Config_HasKerasKeys_AndRoundTrips()
    {
        var layer = new FilterDetections(nms: false, class_specific_filter: false, nms_threshold: 0.4, score_threshold: 0.1,
            max_detections: 100, parallel_iterations: 8, name: "filtered_detections");
        var config = layer.get_config();
        foreach (var key in new[] { "nms", "class_specific_filter", "nms_threshold", "score_threshold", "max_detections", "parallel_iterations" })
            Assert.That(config.ContainsKey(key), key);
        // Through JSON text, as configs come from .h5 files.
        var copy = (FilterDetections)ConfigBinder.FromType(typeof(FilterDetections), JsonNode.Parse(config.ToJsonString())!.AsObject());
        Assert.That((copy.nms, copy.class_specific_filter, copy.nms_threshold, copy.score_threshold, copy.max_detections, copy.parallel_iterations),
            Is.EqualTo((false, false, 0.4, 0.1, 100, 8)));
        Assert.That(copy.name, Is.EqualTo("filtered_detections"));
    }
}
