namespace RetinaNet.Layers.TorchVision.Checkpoints;

/// <summary>
/// A PyTorch checkpoint that cannot be used: malformed or truncated, naming a Python global outside the safe set,
/// or whose tensors do not match the model (missing, unexpected, wrong shape). The message names the file and what.
/// </summary>
public sealed class CheckpointException(string message, Exception? inner = null) : Exception(message, inner);
