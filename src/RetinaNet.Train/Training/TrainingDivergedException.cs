namespace RetinaNet.Train.Training;

/// <summary>
/// Training was stopped because a batch's loss was NaN or infinite (<see cref="RetinaNet.Core.TerminateOnNaN"/>); the
/// command exits non-zero and no snapshot of the diverged model exists.
/// </summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
