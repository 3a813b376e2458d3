namespace RetinaNet.Train.Evaluation;

/// <summary>One class in an <see cref="EvaluationReport"/>: its name, ground-truth instances and average precision.</summary>
public sealed record EvaluationReportRow(string ClassName, int Instances, double AveragePrecision);
