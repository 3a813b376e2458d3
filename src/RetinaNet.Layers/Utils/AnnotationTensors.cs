using static TorchSharp.torch;

namespace RetinaNet.Layers.Utils;

/// <summary>
/// The ground truth of one image as tensors, as the anchor maths takes it (keras-retinanet's
/// <c>{'bboxes': ..., 'labels': ...}</c> dictionary; the generators' array form is <c>Train.Preprocessing.Annotations</c>,
/// whose <c>to_tensors()</c> gives this):
/// <paramref name="bboxes"/> (n, 4) as x1, y1, x2, y2 in pixels of the network input, and
/// <paramref name="labels"/> (n,) class indices 0..C-1 (any numeric dtype; fractions are truncated).
/// </summary>
public sealed record AnnotationTensors(Tensor bboxes, Tensor labels);
