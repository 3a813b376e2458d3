using System.Text.Json.Nodes;

namespace RetinaNet.Core.Layers;

/// <summary>
/// Rows and columns added or removed on each side of an image, as <c>ZeroPadding2D(padding)</c> and
/// <c>Cropping2D(cropping)</c> take them: an int (all four sides), a pair <c>(rows, cols)</c> (symmetric), or
/// <c>((top, bottom), (left, right))</c>. Saved as Keras does, <c>[[top, bottom], [left, right]]</c>.
/// </summary>
public readonly record struct SpatialMargins(int top, int bottom, int left, int right)
{
    /// <summary>The same margin on every side.</summary>
    public static implicit operator SpatialMargins(int all) => new(all, all, all, all);

    /// <summary>Symmetric margins: <c>rows</c> above and below, <c>cols</c> left and right.</summary>
    public static implicit operator SpatialMargins((int rows, int cols) symmetric) =>
        new(symmetric.rows, symmetric.rows, symmetric.cols, symmetric.cols);

    /// <summary>Explicit margins <c>((top, bottom), (left, right))</c>.</summary>
    public static implicit operator SpatialMargins(((int top, int bottom) height, (int left, int right) width) sides) =>
        new(sides.height.top, sides.height.bottom, sides.width.left, sides.width.right);

    /// <summary>As Keras saves it: <c>[[top, bottom], [left, right]]</c>.</summary>
    public JsonArray ToJson() => new(new JsonArray(top, bottom), new JsonArray(left, right));

    /// <summary>Reads any of the forms Keras accepts: <c>n</c>, <c>[rows, cols]</c> or <c>[[top, bottom], [left, right]]</c>.</summary>
    public static SpatialMargins FromJson(JsonNode? node, string what)
    {
        // Numbers parsed from text are JsonElements; those built in C# are typed values.
        static int Int(JsonNode? n) => n!.AsValue().TryGetValue<int>(out var i) ? i : (int)n.GetValue<double>();
        try
        {
            if (node is JsonValue) return Int(node);
            if (node is JsonArray { Count: 2 } pair)
            {
                if (pair[0] is JsonArray { Count: 2 } h && pair[1] is JsonArray { Count: 2 } w)
                    return new(Int(h[0]), Int(h[1]), Int(w[0]), Int(w[1]));
                if (pair[0] is JsonValue && pair[1] is JsonValue) return (Int(pair[0]), Int(pair[1]));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new ArgumentException($"`{what}` must hold integers, got {node?.ToJsonString()}.", e);
        }
        throw new ArgumentException(
            $"`{what}` should be an int, a pair of 2 ints or a pair of 2 pairs of ints, got {node?.ToJsonString() ?? "null"}.");
    }

    /// <inheritdoc/>
    public override string ToString() => $"(({top}, {bottom}), ({left}, {right}))";
}
