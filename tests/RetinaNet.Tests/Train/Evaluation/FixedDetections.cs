using RetinaNet.Core;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Train.Evaluation;

/// <summary>
/// An inference model that ignores its image and returns the same detections (boxes <c>x1, y1, x2, y2</c>, scores,
/// labels, in the given order) for every image, as <c>retinanet_bbox</c> would.
/// </summary>
internal sealed class FixedDetections : Layer
{
    readonly float[] boxes;
    readonly float[] scores;
    readonly int[] labels;

    FixedDetections(IReadOnlyList<(float x1, float y1, float x2, float y2, float score, int label)> detections)
        : base("fixed_detections")
    {
        boxes = detections.SelectMany(d => new[] { d.x1, d.y1, d.x2, d.y2 }).ToArray();
        scores = detections.Select(d => d.score).ToArray();
        labels = detections.Select(d => d.label).ToArray();
    }

    /// <summary>A model with one image input returning these detections.</summary>
    public static Model Model(IReadOnlyList<(float x1, float y1, float x2, float y2, float score, int label)> detections)
    {
        var input = keras.Input(new Shape(null, null, 3));
        return keras.Model(input, new FixedDetections(detections).Apply(input));
    }

    public override Tensors call(Tensors inputs, bool training = false)
    {
        long n = scores.Length;
        return new Tensors(new[]
        {
            tensor(boxes).reshape(1, n, 4), tensor(scores).reshape(1, n), tensor(labels).reshape(1, n),
        });
    }

    public override Shapes compute_output_shape(Shapes input_shape) =>
        new List<Shape> { new(1, scores.Length, 4), new(1, scores.Length), new(1, scores.Length) };
}
