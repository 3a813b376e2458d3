namespace RetinaNet.Train.Evaluation;

/// <summary>The figures of one class in a detailed evaluation report.</summary>
/// <param name="Label">Class label.</param>
/// <param name="ClassName">Class name.</param>
/// <param name="Annotations">Ground-truth boxes.</param>
/// <param name="Detections">Detections scoring ≥ the report's score threshold.</param>
/// <param name="AP50">All-point AP at IoU 0.5 (keras-retinanet's AP).</param>
/// <param name="AP50To95">COCO-style AP averaged over IoU 0.50:0.05:0.95 (NaN without annotations).</param>
/// <param name="Precision">Precision at the score threshold.</param>
/// <param name="Recall">Recall at the score threshold.</param>
/// <param name="F1">F1 at the score threshold.</param>
/// <param name="BestF1Threshold">Score threshold with the highest F1 (NaN when no detection is right).</param>
/// <param name="BestF1">That F1.</param>
public sealed record ClassMetrics(int Label, string ClassName, int Annotations, int Detections, double AP50, double AP50To95,
    double Precision, double Recall, double F1, double BestF1Threshold, double BestF1);
