namespace RetinaNet.Train.Evaluation;

/// <summary>
/// One detection after matching against the ground truth of its class: its score, whether it is a true positive,
/// and the image it came from.
/// </summary>
public readonly record struct ScoredMatch(double Score, bool IsTruePositive, int ImageIndex);
