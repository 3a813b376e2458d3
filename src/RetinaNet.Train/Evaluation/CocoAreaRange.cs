namespace RetinaNet.Train.Evaluation;

/// <summary>An object-area range of the COCO evaluation, bounds inclusive (an area of exactly 32² is both small and
/// medium, as in pycocotools).</summary>
public readonly record struct CocoAreaRange(string Label, double Min, double Max)
{
    /// <summary>Whether <paramref name="area"/> lies in <c>[Min, Max]</c>.</summary>
    public bool Contains(double area) => !(area < Min || area > Max);
}
