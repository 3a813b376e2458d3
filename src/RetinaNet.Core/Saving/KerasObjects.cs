using System.Text.Json.Nodes;

namespace RetinaNet.Core;

/// <summary>
/// Resolves Keras class names found in configs to C# types: first the user's <c>custom_objects</c>
/// (see <see cref="CustomObjectScope"/>), then names registered with <see cref="Register"/>, then built-ins.
/// </summary>
public static class KerasObjects
{
    static readonly Dictionary<string, object> registered = new();
    static readonly object gate = new();

    /// <summary>Registers a class globally (Keras' <c>register_keras_serializable</c>).</summary>
    public static void Register(string name, object typeOrFactory)
    {
        lock (gate) registered[name] = typeOrFactory;
    }

    /// <summary>Registers every public non-abstract subclass of <typeparamref name="TBase"/> in an assembly under its class name, unless already registered.</summary>
    public static void RegisterAll<TBase>(System.Reflection.Assembly assembly)
    {
        lock (gate)
            foreach (var t in assembly.GetExportedTypes())
                if (!t.IsAbstract && typeof(TBase).IsAssignableFrom(t))
                    registered.TryAdd(t.Name, t);
    }

    static KerasObjects()
    {
        RegisterAll<Layer>(typeof(KerasObjects).Assembly);
        RegisterAll<Initializer>(typeof(KerasObjects).Assembly);
        RegisterAll<Loss>(typeof(KerasObjects).Assembly);
        RegisterAll<Optimizer>(typeof(KerasObjects).Assembly);
        // Keras 2 saves the Functional class as "Model" in older files.
        registered["Model"] = typeof(Model);
        registered["Functional"] = typeof(Model);
    }

    /// <summary>Finds what a class name stands for, or null.</summary>
    public static object? Resolve(string className)
    {
        if (CustomObjectScope.TryGet(className, out var custom)) return custom;
        lock (gate)
        {
            if (registered.TryGetValue(className, out var found)) return found;
            // Keras 3 prefixes registered names with a package ("Custom>Adam", "keras_retinanet>Anchors").
            var gt = className.LastIndexOf('>');
            if (gt >= 0 && registered.TryGetValue(className[(gt + 1)..], out found)) return found;
        }
        return null;
    }

    /// <summary>
    /// Builds an object of kind <typeparamref name="T"/> from a serialized entry: either
    /// <c>{"class_name": ..., "config": {...}}</c> or a plain name string (for initializers, losses, optimizers).
    /// </summary>
    /// <param name="entry">The JSON entry.</param>
    /// <param name="kind">What is being built, for errors ("layer", "initializer", ...).</param>
    /// <param name="where">Where it appears (e.g. the layer name), for errors.</param>
    public static T Deserialize<T>(JsonNode entry, string kind, string? where = null) where T : class
    {
        string className;
        JsonObject config;
        if (entry is JsonValue v && v.TryGetValue<string>(out var s))
        {
            className = s;
            config = new JsonObject();
        }
        else if (entry is JsonObject o && o["class_name"]?.GetValue<string>() is string cn)
        {
            className = cn;
            config = o["config"] as JsonObject ?? new JsonObject();
        }
        else throw new KerasConfigException($"Malformed {kind} entry{At(where)}: {entry.ToJsonString()}");

        var target = Resolve(className) ?? Resolve(NameAliases.Canonical(className));
        if (target is null)
            throw new KerasConfigException(UnknownMessage(kind, className, where));
        return ConfigBinder.Instantiate<T>(target, config, className, kind, where);
    }

    /// <summary>Keras' wording for an unknown class, plus where it was met.</summary>
    public static string UnknownMessage(string kind, string className, string? where) =>
        $"Unknown {kind}: '{className}'{At(where)}. Please ensure you are using a `keras.utils.custom_object_scope` " +
        $"and that this object is included in the scope, or pass it in `custom_objects`: " +
        $"new Dictionary<string, object> {{ [\"{className}\"] = typeof({className}) }}.";

    static string At(string? where) => where is null ? "" : $" (in {where})";
}

/// <summary>An error in a serialized Keras configuration: unknown class, malformed entry, missing key.</summary>
public class KerasConfigException : Exception
{
    /// <summary>Creates the error.</summary>
    public KerasConfigException(string message, Exception? inner = null) : base(message, inner) { }
}
