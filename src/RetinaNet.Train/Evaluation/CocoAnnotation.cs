namespace RetinaNet.Train.Evaluation;

/// <summary>
/// A COCO ground-truth object (the fields of an <c>instances_*.json</c> annotation that box evaluation reads).
/// </summary>
/// <param name="ImageId">The image it belongs to.</param>
/// <param name="CategoryId">Its COCO category id.</param>
/// <param name="Bbox">Its box <c>[x, y, w, h]</c>.</param>
/// <param name="Area">The annotation's <c>area</c> field (the segmentation's area in COCO files), which decides its
/// small/medium/large range; <c>null</c> uses <c>w * h</c>.</param>
/// <param name="IsCrowd">A crowd region: never counted as an object; detections matching it are ignored.</param>
public readonly record struct CocoAnnotation(long ImageId, int CategoryId, CocoBox Bbox, double? Area = null, bool IsCrowd = false)
{
    /// <summary>The area used for the area ranges.</summary>
    public double EffectiveArea => Area ?? Bbox.Area;
}
