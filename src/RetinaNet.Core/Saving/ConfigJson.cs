using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RetinaNet.Core;

/// <summary>
/// Typed access to a parsed Keras config that fails with a <see cref="KerasConfigException"/> naming the entry,
/// instead of the cast errors <see cref="JsonNode"/> throws.
/// </summary>
internal static class ConfigJson
{
    /// <summary>Compact JSON that keeps <c>&gt;</c>, <c>+</c> and non-ASCII readable (<c>Custom&gt;Adam</c>).</summary>
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string ToJson(JsonNode node) => node.ToJsonString(Options);

    /// <summary>
    /// A parsed copy of a config built in memory. Values created from C# numbers only convert to their own type,
    /// while parsed ones convert to any number type, which is what <see cref="ConfigBinder"/> expects.
    /// </summary>
    public static JsonObject Reparse(JsonObject config) => (JsonObject)JsonNode.Parse(config.ToJsonString())!;

    public static JsonObject Object(JsonNode? node, string what) =>
        node as JsonObject ?? throw Malformed(what, node, "an object");

    public static JsonArray Array(JsonNode? node, string what) =>
        node as JsonArray ?? throw Malformed(what, node, "a list");

    public static string String(JsonNode? node, string what) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Malformed(what, node, "a string");

    public static string? OptionalString(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static bool IsString(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out _);

    public static int Int(JsonNode? node, string what)
    {
        if (node is JsonValue v && v.TryGetValue<double>(out var d) && d == Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue)
            return (int)d;
        throw Malformed(what, node, "an integer");
    }

    public static KerasConfigException Malformed(string what, JsonNode? node, string expected) =>
        new($"Malformed model config: {what} should be {expected}, found {Excerpt(node)}.");

    /// <summary>The JSON of a node, shortened for error messages.</summary>
    public static string Excerpt(JsonNode? node)
    {
        var text = node is null ? "null" : ToJson(node);
        return text.Length <= 200 ? text : text[..200] + "…";
    }
}
