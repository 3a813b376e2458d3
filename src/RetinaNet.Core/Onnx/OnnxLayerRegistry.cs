namespace RetinaNet.Core.Onnx;

/// <summary>Writes the ONNX nodes of one call of a layer and returns its outputs (one per Keras output).</summary>
public delegate IReadOnlyList<OnnxValue> OnnxLayerConverter(Layer layer, OnnxLayerContext context);

/// <summary>
/// Which ONNX nodes each layer class becomes, the export-time counterpart of <c>custom_objects</c>: the built-in
/// Keras layers are registered by <see cref="Builtin"/>, libraries add theirs (RetinaNet.Layers'
/// <c>RetinaNetOnnx.Registry()</c>), and a user registers a custom layer with <see cref="Register{TLayer}"/> before
/// passing the registry to <see cref="OnnxExporter"/>. Lookup is by exact class: a subclass of a mapped layer needs
/// its own mapping, since its <c>call</c> may compute something else.
/// </summary>
public sealed class OnnxLayerRegistry
{
    readonly Dictionary<Type, OnnxLayerConverter> converters = new();

    /// <summary>A registry with the mappings of the engine's built-in layers.</summary>
    public static OnnxLayerRegistry Builtin()
    {
        var registry = new OnnxLayerRegistry();
        BuiltinOnnxConverters.RegisterAll(registry);
        return registry;
    }

    /// <summary>Maps layers of class <typeparamref name="TLayer"/> (exactly) to ONNX nodes; replaces an earlier mapping.</summary>
    public OnnxLayerRegistry Register<TLayer>(Func<TLayer, OnnxLayerContext, IReadOnlyList<OnnxValue>> converter) where TLayer : Layer
    {
        converters[typeof(TLayer)] = (layer, context) => converter((TLayer)layer, context);
        return this;
    }

    /// <summary>
    /// Maps <typeparamref name="TLayer"/> with the mapping already registered for <typeparamref name="TBase"/>, for a
    /// subclass whose inference computes the same (keras-resnet's BatchNormalization adds only a training flag).
    /// </summary>
    public OnnxLayerRegistry RegisterAs<TLayer, TBase>() where TLayer : TBase where TBase : Layer
    {
        if (!converters.TryGetValue(typeof(TBase), out var converter))
            throw new ArgumentException($"{typeof(TBase).Name} has no ONNX mapping to reuse for {typeof(TLayer).Name}.");
        converters[typeof(TLayer)] = converter;
        return this;
    }

    /// <summary>Whether layers of this exact class have a mapping.</summary>
    public bool Contains(Type layerType) => converters.ContainsKey(layerType);

    /// <summary>The mapping for a layer, or an error naming the layer and saying how to add one.</summary>
    public OnnxLayerConverter For(Layer layer) =>
        converters.TryGetValue(layer.GetType(), out var converter)
            ? converter
            : throw new OnnxExportException(
                $"Layer '{layer.name}' (class {layer.GetType().FullName}) has no ONNX mapping. Register one before exporting: " +
                $"registry.Register<{layer.GetType().Name}>((layer, ctx) => ...) returning the ONNX values of its outputs, " +
                "and pass the registry to OnnxExporter (see the README's Deploy section).");
}

/// <summary>A model cannot be written as ONNX (a layer without mapping, or a setting ONNX cannot express).</summary>
public sealed class OnnxExportException(string message) : Exception(message);
