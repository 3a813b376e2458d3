namespace RetinaNet.Train.Evaluation;

/// <summary>
/// An axis-aligned box by its corners <c>(x1, y1, x2, y2)</c> in image pixels, the form keras-retinanet uses for
/// annotations and detections. Coordinates are continuous: width is <c>x2 - x1</c>, with no "+1".
/// </summary>
public readonly record struct CornerBox(double X1, double Y1, double X2, double Y2)
{
    /// <summary><c>x2 - x1</c>.</summary>
    public double Width => X2 - X1;

    /// <summary><c>y2 - y1</c>.</summary>
    public double Height => Y2 - Y1;

    /// <summary><c>width * height</c>.</summary>
    public double Area => Width * Height;

    /// <summary>
    /// Intersection over union with <paramref name="other"/>, as keras-retinanet's <c>compute_overlap</c>
    /// (this box in the role of the detection, <paramref name="other"/> of the annotation): 0 when the boxes
    /// only touch or are apart.
    /// </summary>
    public double IoU(CornerBox other)
    {
        double iw = Math.Min(X2, other.X2) - Math.Max(X1, other.X1);
        if (iw <= 0) return 0;
        double ih = Math.Min(Y2, other.Y2) - Math.Max(Y1, other.Y1);
        if (ih <= 0) return 0;
        // Same order of operations as compute_overlap.pyx, so results agree to the last bit.
        double union = Area + other.Area - iw * ih;
        return iw * ih / union;
    }

    /// <summary>The same box as COCO's <c>[x, y, width, height]</c>.</summary>
    public CocoBox ToCoco() => new(X1, Y1, X2 - X1, Y2 - Y1);
}
