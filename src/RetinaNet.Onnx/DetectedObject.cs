namespace RetinaNet.Inference;

/// <summary>One detected object, in the original image's pixel coordinates.</summary>
public sealed record DetectedObject(double x1, double y1, double x2, double y2, double score, int label, string class_name);
