namespace RetinaNet.Train.Evaluation;

/// <summary>
/// One class's result of the Pascal VOC-style evaluation: keras-retinanet's <c>(average_precision, num_annotations)</c>
/// under the class label. A class without annotations has AP 0 and takes no part in the mean.
/// </summary>
public readonly record struct ClassAveragePrecision(int Label, double AveragePrecision, int NumAnnotations);
