using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RetinaNet.Core;

/// <summary>
/// Rebuilds an object from its Keras config, the way Python does <c>cls(**config)</c>: a public static
/// <c>from_config(JsonObject)</c> if the class has one, else the constructor whose parameter names match the config
/// keys. Base layer keys (<c>name</c>, <c>trainable</c>, <c>dtype</c>) are applied after construction when the
/// constructor does not take them; other unknown keys are ignored, as newer Keras files carry extra ones.
/// </summary>
public static class ConfigBinder
{
    static readonly HashSet<string> baseKeys = new() { "name", "trainable", "dtype" };

    /// <summary>Creates an object from a type, factory or instance found by <see cref="KerasObjects.Resolve"/>.</summary>
    public static T Instantiate<T>(object target, JsonObject config, string className, string kind, string? where) where T : class
    {
        try
        {
            object? result = target switch
            {
                Type t => FromType(t, config),
                Func<JsonObject, object> f => f(config),
                T instance => instance,
                _ => throw new KerasConfigException($"custom_objects['{className}'] must be a Type or a Func<JsonObject, object> factory."),
            };
            return result as T ?? throw new KerasConfigException(
                $"'{className}' resolved to {result?.GetType().Name ?? "null"}, which is not a {kind} ({typeof(T).Name}).");
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new KerasConfigException(
                $"Could not create {kind} '{className}'{(where is null ? "" : $" (in {where})")} from its config: {e.InnerException.Message}", e.InnerException);
        }
        catch (Exception e) when (e is not KerasConfigException)
        {
            throw new KerasConfigException(
                $"Could not create {kind} '{className}'{(where is null ? "" : $" (in {where})")} from its config: {e.Message}", e);
        }
    }

    /// <summary>Calls <c>from_config</c> or the best-matching constructor of <paramref name="type"/>.</summary>
    public static object FromType(Type type, JsonObject config)
    {
        var factory = type.GetMethod("from_config", BindingFlags.Public | BindingFlags.Static, new[] { typeof(JsonObject) });
        if (factory is not null && factory.DeclaringType == type)
            return factory.Invoke(null, new object[] { config })!;

        var ctors = type.GetConstructors().OrderByDescending(c => c.GetParameters().Count(p => Find(config, p.Name!) is not null));
        Exception? last = null;
        foreach (var ctor in ctors)
        {
            var parameters = ctor.GetParameters();
            var args = new object?[parameters.Length];
            var ok = true;
            for (int i = 0; i < parameters.Length && ok; i++)
            {
                var p = parameters[i];
                var node = Find(config, p.Name!);
                if (node is not null || config.ContainsKey(p.Name!))
                {
                    try { args[i] = Convert(node, p.ParameterType, p.Name!); }
                    catch (Exception e) { last = e; ok = false; }
                }
                else if (p.HasDefaultValue) args[i] = p.DefaultValue;
                else { last = new KerasConfigException($"the config has no '{p.Name}'"); ok = false; }
            }
            if (!ok) continue;
            var obj = ctor.Invoke(args);
            if (obj is Layer layer) ApplyBaseKeys(layer, config);
            return obj;
        }
        throw last ?? new KerasConfigException($"{type.Name} has no public constructor");
    }

    /// <summary>Applies <c>name</c>, <c>trainable</c> and <c>dtype</c> from a config to a layer.</summary>
    public static void ApplyBaseKeys(Layer layer, JsonObject config)
    {
        if (config["name"] is JsonValue n && n.TryGetValue<string>(out var name)) layer.name = name;
        if (config["trainable"] is JsonValue t && t.TryGetValue<bool>(out var trainable)) layer.trainable = trainable;
        if (config["dtype"] is JsonNode d && DTypeName(d) is string dtype) layer.dtype = dtype;
    }

    /// <summary>A dtype entry as a name: a string, or Keras 3's <c>DTypePolicy</c> object.</summary>
    public static string? DTypeName(JsonNode node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonObject o => o["config"]?["name"]?.GetValue<string>(),
        _ => null,
    };

    static JsonNode? Find(JsonObject config, string parameterName)
    {
        if (config.TryGetPropertyValue(parameterName, out var exact)) return exact;
        foreach (var (key, value) in config)
            if (string.Equals(key.Replace("_", ""), parameterName.Replace("_", ""), StringComparison.OrdinalIgnoreCase))
                return value;
        return null;
    }

    /// <summary>Converts a JSON config value to a constructor parameter type.</summary>
    public static object? Convert(JsonNode? node, Type type, string what)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (node is null)
        {
            if (!type.IsValueType || underlying is not null) return null;
            throw new KerasConfigException($"'{what}' is null but must be a {type.Name}");
        }
        type = underlying ?? type;
        if (type == typeof(JsonNode) || type == typeof(object) && node is not JsonValue) return node.DeepClone();
        if (type == typeof(JsonObject)) return node.AsObject().DeepClone();
        if (type == typeof(JsonArray)) return node.AsArray().DeepClone();
        if (type == typeof(Shape)) return ToShape(node);
        if (type == typeof(IntPair)) return (IntPair)(int[])Convert(node, typeof(int[]), what)!;
        if (typeof(Initializer).IsAssignableFrom(type)) return KerasObjects.Deserialize<Initializer>(node, "initializer", what);
        if (typeof(Loss).IsAssignableFrom(type)) return KerasObjects.Deserialize<Loss>(node, "loss", what);
        if (type.IsArray)
        {
            var element = type.GetElementType()!;
            var items = node is JsonArray a ? a.ToList() : new List<JsonNode?> { node };
            var array = Array.CreateInstance(element, items.Count);
            for (int i = 0; i < items.Count; i++) array.SetValue(Convert(items[i], element, what), i);
            return array;
        }
        if (node is JsonArray single && single.Count == 1 && type.IsPrimitive) node = single[0]!; // axis: [3]
        if (node is JsonObject obj && type == typeof(string) && DTypeName(obj) is string policy) return policy;
        var value = node.AsValue();
        if (type == typeof(string)) return value.TryGetValue<string>(out var s) ? s : node.ToJsonString();
        if (type == typeof(object))
        {
            if (value.TryGetValue<string>(out var text)) return text;
            if (value.TryGetValue<bool>(out var flag)) return flag;
            if (value.TryGetValue<JsonElement>(out var element) && element.ValueKind is JsonValueKind.True or JsonValueKind.False)
                return element.GetBoolean();
            return Number(value);
        }
        if (type == typeof(bool)) return value.GetValue<bool>();
        if (type == typeof(int)) return (int)Number(value);
        if (type == typeof(long)) return (long)Number(value);
        if (type == typeof(float)) return (float)Number(value);
        if (type == typeof(double)) return Number(value);
        if (type.IsEnum) return Enum.Parse(type, value.GetValue<string>(), ignoreCase: true);
        throw new KerasConfigException($"cannot convert '{what}' ({node.ToJsonString()}) to {type.Name}");
    }

    /// <summary>A JSON list with nulls as a <see cref="Shape"/>.</summary>
    public static Shape ToShape(JsonNode node) =>
        new(node.AsArray().Select(d => d is null ? (long?)null : (long)Number(d.AsValue())).ToArray());

    /// <summary>
    /// A number from a config value, whether it was parsed from text (a JsonElement) or built in C# from an
    /// int, long, float or double (as <c>get_config()</c> does before any saving).
    /// </summary>
    public static double Number(JsonValue value)
    {
        if (value.TryGetValue<double>(out var d)) return d;
        if (value.TryGetValue<int>(out var i)) return i;
        if (value.TryGetValue<long>(out var l)) return l;
        if (value.TryGetValue<float>(out var f)) return f;
        if (value.TryGetValue<string>(out var s) && double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            return parsed;
        throw new KerasConfigException($"expected a number, got {value.ToJsonString()}");
    }

    /// <summary>A shape as a JSON list with nulls.</summary>
    public static JsonArray ToJson(Shape shape) => new(shape.Select(d => d is null ? null : (JsonNode)JsonValue.Create(d.Value)).ToArray());

    /// <summary>Keys every layer config has; not passed to constructors that do not declare them.</summary>
    public static bool IsBaseKey(string key) => baseKeys.Contains(key);
}
