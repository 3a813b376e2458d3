using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>
/// Keras' <c>Lambda</c> layer over a <see cref="LambdaFunction"/>. Python Keras saves the function as marshalled
/// Python bytecode (<c>function_type: "lambda"</c>); that code cannot run here, so the layer finds the function's
/// name inside it and takes the C# implementation registered under that name in <c>custom_objects</c>. Configs it
/// writes name the function (<c>function_type: "function"</c>), which Python Keras resolves through its own
/// <c>custom_objects</c>.
/// </summary>
public partial class Lambda : Layer
{
    /// <summary>Creates the layer.</summary>
    public Lambda(LambdaFunction function, JsonObject? arguments = null, string? name = null, bool trainable = true, string dtype = "float32")
        : base(name, trainable, dtype)
    {
        this.function = function;
        this.arguments = arguments ?? new JsonObject();
    }

    /// <summary>The wrapped function.</summary>
    public LambdaFunction function { get; }

    /// <summary>Keyword arguments passed to the function.</summary>
    public JsonObject arguments { get; }

    /// <summary>Rebuilds the layer from a Keras config, resolving the function in the custom objects.</summary>
    public static Lambda from_config(JsonObject config)
    {
        var function = Resolve(config["function"], config["name"]?.GetValue<string>() ?? "lambda");
        var arguments = config["arguments"] as JsonObject ?? new JsonObject();
        var layer = new Lambda(function, (JsonObject)arguments.DeepClone());
        ConfigBinder.ApplyBaseKeys(layer, config);
        return layer;
    }

    static LambdaFunction Resolve(JsonNode? node, string layerName)
    {
        IEnumerable<string> candidates = node switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => new[] { s },
            JsonArray { Count: > 0 } a when a[0] is JsonValue code && code.TryGetValue<string>(out var b64) => NamesInBytecode(b64),
            _ => Array.Empty<string>(),
        };
        var names = candidates.ToList();
        foreach (var candidate in names)
            if (CustomObjectScope.TryGet(candidate, out var found) && found is LambdaFunction f) return f;
        throw new KerasConfigException($"Lambda layer '{layerName}': its Python function ({(names.Count == 0 ? "unreadable" : string.Join(", ", names.Take(8)))}) " +
            "has no C# implementation; pass a LambdaFunction in custom_objects under the function's name.");
    }

    /// <summary>
    /// The identifier strings in marshalled Python code, last first (the function's own name follows its variable
    /// names). Marshal writes short ASCII strings as type 'z'/'Z' and a one-byte length, others as 'a'/'A'/'t'/'u'
    /// and a four-byte length; the top bit of the type byte only flags a back-reference.
    /// </summary>
    static IEnumerable<string> NamesInBytecode(string base64)
    {
        byte[] bytes;
        try { bytes = Convert.FromBase64String(base64.Replace("\n", "")); }
        catch (FormatException) { return Array.Empty<string>(); }
        var names = new List<string>();
        for (int i = 0; i < bytes.Length; i++)
        {
            var type = (char)(bytes[i] & 0x7F);
            int length, start;
            if (type is 'z' or 'Z' && i + 1 < bytes.Length) (length, start) = (bytes[i + 1], i + 2);
            else if (type is 'a' or 'A' or 't' or 'u' && i + 4 < bytes.Length) (length, start) = (BitConverter.ToInt32(bytes, i + 1), i + 5);
            else continue;
            if (length < 1 || length > 200 || start + length > bytes.Length) continue;
            var text = Encoding.Latin1.GetString(bytes, start, length);
            if (Identifier().IsMatch(text)) names.Add(text);
        }
        names.Reverse();
        return names.Distinct().ToList();
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")] private static partial Regex Identifier();

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false) => function.call(inputs, arguments);

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape) => function.output_shape(input_shape, arguments);

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["function"] = function.name;
        config["function_type"] = "function";
        config["module"] = function.module;
        config["output_shape"] = null;
        config["output_shape_type"] = "raw";
        config["output_shape_module"] = null;
        config["arguments"] = arguments.DeepClone();
        return config;
    }
}
