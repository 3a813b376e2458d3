namespace RetinaNet.Layers;

/// <summary>
/// Automatic layer names as Keras 2.2/2.3 gave them: a counter per prefix starting at 1 (<c>conv2d_1</c>,
/// <c>conv2d_2</c>, …), where tf.keras starts at the bare prefix (<c>conv2d</c>, <c>conv2d_1</c>). keras-retinanet's
/// SE backbone table (<c>activation_36</c> for SE-ResNet-50's C3) was written against these names, so models built
/// with them are named as that table and the Python files trained with it expect. One instance names one model, as
/// a fresh Keras session does.
/// </summary>
public sealed class OneBasedLayerNames
{
    readonly Dictionary<string, int> counters = new();

    /// <summary>The next name for a prefix: <c>{prefix}_1</c> first.</summary>
    public string Next(string prefix)
    {
        counters.TryGetValue(prefix, out var n);
        counters[prefix] = ++n;
        return $"{prefix}_{n}";
    }

    /// <summary>How many names were handed out for a prefix.</summary>
    public int Count(string prefix) => counters.GetValueOrDefault(prefix);
}
