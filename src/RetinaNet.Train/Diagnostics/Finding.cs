namespace RetinaNet.Train.Diagnostics;

/// <summary>A problem found in a dataset: what it is, and in one line what it does to training.</summary>
/// <param name="Kind">A short stable name (e.g. <c>no_positive_anchor</c>).</param>
/// <param name="Message">What was found and its effect, in one line.</param>
public sealed record Finding(string Kind, string Message);
