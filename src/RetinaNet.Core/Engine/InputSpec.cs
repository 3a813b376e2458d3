namespace RetinaNet.Core;

/// <summary>
/// What a built layer accepts (Keras' <c>InputSpec</c>): a rank and fixed sizes on some axes.
/// Checked on every later call, so a shared layer applied to a tensor of the wrong size fails clearly.
/// </summary>
public sealed class InputSpec
{
    /// <summary>Exact rank, if fixed.</summary>
    public int? ndim { get; init; }
    /// <summary>Minimum rank, if any.</summary>
    public int? min_ndim { get; init; }
    /// <summary>Required sizes by axis (negative axes count from the end).</summary>
    public IReadOnlyDictionary<int, long> axes { get; init; } = new Dictionary<int, long>();

    /// <summary>Returns a description of the first violation, or null when the shape is acceptable.</summary>
    public string? Check(Shape shape)
    {
        if (ndim is int n && shape.rank != n)
            return $"expected ndim={n}, found ndim={shape.rank}";
        if (min_ndim is int m && shape.rank < m)
            return $"expected min_ndim={m}, found ndim={shape.rank}";
        foreach (var (axis, size) in axes)
        {
            var a = axis < 0 ? shape.rank + axis : axis;
            if (a < 0 || a >= shape.rank) return $"expected axis {axis} to exist";
            if (shape[a] is long actual && actual != size)
                return $"expected axis {axis} of input shape to have value {size}";
        }
        return null;
    }
}
