namespace RetinaNet.Train.Evaluation;

/// <summary>
/// One category's COCO AP: precision averaged over IoU 0.50:0.95 and the recall thresholds at area "all" and the
/// largest maxDets (the per-category part of stat 0); -1 when the category has no counted ground truth.
/// </summary>
/// <param name="CategoryId">The COCO category id.</param>
/// <param name="Instances">Ground-truth objects that count (not crowd) in the evaluated images.</param>
/// <param name="AveragePrecision">The category's AP, or -1.</param>
public readonly record struct CocoCategoryResult(int CategoryId, int Instances, double AveragePrecision);
