namespace RetinaNet.Train.Diagnostics;

/// <summary>Anchor coverage of one group of boxes (a class, a size or an aspect range).</summary>
/// <param name="Name">The group.</param>
/// <param name="Boxes">Boxes in it.</param>
/// <param name="WithoutPositive">Boxes whose best anchor IoU is below 0.5.</param>
/// <param name="MeanBestIoU">Mean best anchor IoU.</param>
public sealed record CoverageBucket(string Name, int Boxes, int WithoutPositive, double MeanBestIoU)
{
    /// <summary>Share of the group without a positive anchor.</summary>
    public double ShareWithoutPositive => Boxes == 0 ? 0 : (double)WithoutPositive / Boxes;
}
