namespace RetinaNet.Train.Evaluation;

/// <summary>A COCO box <c>[x, y, width, height]</c> (top-left corner and size, continuous pixels).</summary>
public readonly record struct CocoBox(double X, double Y, double Width, double Height)
{
    /// <summary><c>width * height</c>: a detection's area for the area ranges (pycocotools' <c>loadRes</c>).</summary>
    public double Area => Width * Height;

    /// <summary>The same box by its corners.</summary>
    public CornerBox ToCorners() => new(X, Y, X + Width, Y + Height);

    /// <summary>
    /// IoU of this detection box with a ground-truth box as pycocotools' <c>bbIou</c>: for a crowd ground truth the
    /// union is the detection's own area (the fraction of the detection inside the crowd region).
    /// </summary>
    public double IoU(CocoBox groundTruth, bool crowd)
    {
        double w = Math.Min(X + Width, groundTruth.X + groundTruth.Width) - Math.Max(X, groundTruth.X);
        if (w <= 0) return 0;
        double h = Math.Min(Y + Height, groundTruth.Y + groundTruth.Height) - Math.Max(Y, groundTruth.Y);
        if (h <= 0) return 0;
        double intersection = w * h;
        double union = crowd ? Area : Area + groundTruth.Area - intersection;
        return intersection / union;
    }
}
