namespace RetinaNet.Core;

/// <summary>
/// Makes a <c>custom_objects</c> dictionary visible to deserialization on this thread, like Keras'
/// <c>custom_object_scope</c>. Inner scopes take precedence; disposing restores the outer scope.
/// </summary>
public sealed class CustomObjectScope : IDisposable
{
    [ThreadStatic] static List<IReadOnlyDictionary<string, object>>? stack;
    bool disposed;

    /// <summary>Pushes a dictionary from class name to a <see cref="Type"/>, a factory or an activation function.</summary>
    public CustomObjectScope(IReadOnlyDictionary<string, object>? custom_objects)
    {
        stack ??= new();
        stack.Add(custom_objects ?? new Dictionary<string, object>());
    }

    /// <summary>Looks a name up in the open scopes, innermost first.</summary>
    public static bool TryGet(string name, out object value)
    {
        if (stack is not null)
            for (int i = stack.Count - 1; i >= 0; i--)
                if (stack[i].TryGetValue(name, out value!)) return true;
        value = null!;
        return false;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        stack!.RemoveAt(stack.Count - 1);
    }
}
