namespace RetinaNet.Core;

/// <summary>
/// Remembers which layer is being built or called on this thread, so that errors raised deep inside
/// (a wrong number of inputs, a shape mismatch) can name the layer.
/// </summary>
public static class LayerCallContext
{
    [ThreadStatic] static Layer? current;

    /// <summary>The layer whose build/call/compute_output_shape is running, if any.</summary>
    public static Layer? Current => current;

    internal static IDisposable Enter(Layer layer)
    {
        var previous = current;
        current = layer;
        return new Restore(previous);
    }

    sealed class Restore(Layer? previous) : IDisposable
    {
        public void Dispose() => current = previous;
    }

    /// <summary>The error for calling a layer on the wrong number of inputs.</summary>
    public static LayerInputException WrongInputCount(int expected, int received)
    {
        var who = current is null ? "A layer" : $"Layer '{current.name}' ({current.GetType().Name})";
        var what = expected == 1 ? "a single input" : $"{expected} inputs";
        return new LayerInputException($"{who} expects {what}, but it was called on {received} inputs.");
    }
}

/// <summary>An error in how a layer was called: wrong number of inputs or incompatible shapes.</summary>
public class LayerInputException : ArgumentException
{
    /// <summary>Creates the error.</summary>
    public LayerInputException(string message, Exception? inner = null) : base(message, inner) { }
}
