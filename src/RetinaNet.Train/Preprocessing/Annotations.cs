using RetinaNet.Layers.Utils;
using RetinaNet.Train.Utils;
using static TorchSharp.torch;

namespace RetinaNet.Train.Preprocessing;

/// <summary>
/// The ground truth of one image: boxes (N, 4) as (x1, y1, x2, y2) in pixels of the image they belong to, and one
/// class label (0-based) per box. Treated as immutable: the generator's steps return new instances.
/// </summary>
public sealed class Annotations
{
    /// <summary>Creates annotations; <paramref name="bboxes"/> must be (N, 4) and <paramref name="labels"/> (N).</summary>
    public Annotations(double[,] bboxes, int[] labels)
    {
        if (bboxes.GetLength(1) != 4)
            throw new ArgumentException($"bboxes must have shape (N, 4), got ({bboxes.GetLength(0)}, {bboxes.GetLength(1)}).");
        if (bboxes.GetLength(0) != labels.Length)
            throw new ArgumentException($"bboxes ({bboxes.GetLength(0)}) and labels ({labels.Length}) must have the same length.");
        this.bboxes = bboxes;
        this.labels = labels;
    }

    /// <summary>Annotations of an image without objects.</summary>
    public static Annotations Empty { get; } = new(new double[0, 4], Array.Empty<int>());

    /// <summary>Boxes (N, 4): x1, y1, x2, y2.</summary>
    public double[,] bboxes { get; }

    /// <summary>Class label of each box.</summary>
    public int[] labels { get; }

    /// <summary>Number of boxes.</summary>
    public int Count => labels.Length;

    /// <summary>The boxes (N, 4) float64 and labels (N) as tensors on the CPU, the form the anchor maths takes.</summary>
    public AnnotationTensors to_tensors() =>
        new(Count == 0 ? zeros(0, 4, ScalarType.Float64) : tensor(bboxes), tensor(labels));

    /// <summary>Box <paramref name="i"/> as a tuple.</summary>
    public (double x1, double y1, double x2, double y2) box(int i) => (bboxes[i, 0], bboxes[i, 1], bboxes[i, 2], bboxes[i, 3]);

    /// <summary>The boxes with the given indices, in that order.</summary>
    public Annotations select(IReadOnlyList<int> indices)
    {
        var boxes = new double[indices.Count, 4];
        var selected = new int[indices.Count];
        for (int k = 0; k < indices.Count; k++)
        {
            for (int c = 0; c < 4; c++) boxes[k, c] = bboxes[indices[k], c];
            selected[k] = labels[indices[k]];
        }
        return new Annotations(boxes, selected);
    }

    /// <summary>Every coordinate multiplied by <paramref name="scale"/> (what resizing the image does to its boxes).</summary>
    public Annotations scaled(double scale)
    {
        var boxes = (double[,])bboxes.Clone();
        for (int i = 0; i < Count; i++)
        for (int c = 0; c < 4; c++)
            boxes[i, c] *= scale;
        return new Annotations(boxes, labels);
    }

    /// <summary>Each box replaced by the axis-aligned box around its transformed corners (<see cref="Transform.transform_aabb"/>).</summary>
    public Annotations transformed(double[,] transform)
    {
        var boxes = new double[Count, 4];
        for (int i = 0; i < Count; i++)
        {
            var (x1, y1, x2, y2) = Transform.transform_aabb(transform, box(i));
            (boxes[i, 0], boxes[i, 1], boxes[i, 2], boxes[i, 3]) = (x1, y1, x2, y2);
        }
        return new Annotations(boxes, labels);
    }
}
