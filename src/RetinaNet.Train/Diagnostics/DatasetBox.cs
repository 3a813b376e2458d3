using RetinaNet.Train.Evaluation;

namespace RetinaNet.Train.Diagnostics;

/// <summary>
/// One annotation as training sees it: its box in the stored image and at the network input size (after the
/// generator's resize), and that input's height and width.
/// </summary>
public sealed record DatasetBox(int Image, int Label, CornerBox Stored, CornerBox Input, int InputHeight, int InputWidth);
