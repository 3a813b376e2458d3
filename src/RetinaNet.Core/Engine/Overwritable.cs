using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// The inputs a layer may overwrite during its current call. A functional model marks an input so when, without
/// autograd, this call is its last use and nothing else can see its memory: no caller, no view (every layer
/// reading it makes new tensors), no other graph edge. Layers that can (batch normalization with moving
/// statistics, ReLU, Add) then compute in place, which saves a buffer the size of the activation and the time to
/// fill it.
/// </summary>
internal static class Overwritable
{
    [ThreadStatic] static HashSet<Tensor>? current;

    /// <summary>Whether the running layer may write into <paramref name="tensor"/>.</summary>
    public static bool Contains(Tensor tensor) => current is not null && current.Contains(tensor);

    /// <summary>Marks tensors for the duration of one layer call (none when the set is empty).</summary>
    public static IDisposable Enter(HashSet<Tensor>? tensors)
    {
        var previous = current;
        current = tensors is { Count: > 0 } ? tensors : null;
        return new Restore(previous);
    }

    sealed class Restore(HashSet<Tensor>? previous) : IDisposable
    {
        public void Dispose() => current = previous;
    }
}
