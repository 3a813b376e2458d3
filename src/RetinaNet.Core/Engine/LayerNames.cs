using System.Text.RegularExpressions;

namespace RetinaNet.Core;

/// <summary>Keras' automatic layer names: <c>conv2d</c>, <c>conv2d_1</c>, … (reset by <c>keras.backend.clear_session()</c>).</summary>
public static partial class LayerNames
{
    static readonly Dictionary<string, int> counters = new();
    static readonly object gate = new();

    /// <summary>The next unique name for a prefix, Keras style.</summary>
    public static string Unique(string prefix)
    {
        lock (gate)
        {
            counters.TryGetValue(prefix, out var n);
            counters[prefix] = n + 1;
            return n == 0 ? prefix : $"{prefix}_{n}";
        }
    }

    /// <summary>Forgets every name handed out so far.</summary>
    public static void Reset()
    {
        lock (gate) counters.Clear();
    }

    /// <summary>
    /// Names handed out from zero again until the returned scope is disposed, then the session's counters come back:
    /// a reference model built inside gets the automatic names (<c>activation_36</c>) a fresh Python session gives it,
    /// without renaming anything built later.
    /// </summary>
    public static IDisposable Fresh()
    {
        Dictionary<string, int> saved;
        lock (gate)
        {
            saved = new Dictionary<string, int>(counters);
            counters.Clear();
        }
        return new Restore(saved);
    }

    sealed class Restore(Dictionary<string, int> saved) : IDisposable
    {
        public void Dispose()
        {
            lock (gate)
            {
                counters.Clear();
                foreach (var (prefix, n) in saved) counters[prefix] = n;
            }
        }
    }

    /// <summary>Keras' <c>to_snake_case</c>: <c>BatchNormalization</c> → <c>batch_normalization</c>.</summary>
    public static string ToSnakeCase(string name)
    {
        var s = FirstCap().Replace(name, "$1_$2");
        s = LowerUpper().Replace(s, "$1_$2").ToLowerInvariant();
        return s.StartsWith('_') ? "private" + s : s;
    }

    [GeneratedRegex("(.)([A-Z][a-z0-9]+)")] private static partial Regex FirstCap();
    [GeneratedRegex("([a-z])([A-Z])")] private static partial Regex LowerUpper();
}
