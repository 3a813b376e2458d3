namespace RetinaNet.Train.Evaluation;

/// <summary>One detection of one class: the row <c>[x1, y1, x2, y2, score]</c> of keras-retinanet's evaluation.</summary>
public readonly record struct Detection(double X1, double Y1, double X2, double Y2, double Score)
{
    /// <summary>A detection from its box and score.</summary>
    public Detection(CornerBox box, double score) : this(box.X1, box.Y1, box.X2, box.Y2, score) { }

    /// <summary>The detected box.</summary>
    public CornerBox Box => new(X1, Y1, X2, Y2);
}
