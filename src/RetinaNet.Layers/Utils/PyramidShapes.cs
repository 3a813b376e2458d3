using RetinaNet.Core;

namespace RetinaNet.Layers.Utils;

/// <summary>
/// Pyramid level sizes computed from a training model (keras-retinanet's <c>layer_shapes</c> and
/// <c>make_shapes_callback</c>): the image shape is propagated through the model's graph with each layer's
/// <c>compute_output_shape</c>, and the sizes of the layers named <c>P3</c>…<c>P7</c> are read off. Needed where
/// levels are not <c>ceil(dim / 2^level)</c> (<see cref="AnchorMath.guess_shapes"/>): VGG's max poolings and DenseNet's
/// average poolings floor odd sizes, so a 100-pixel side gives 12 at P3 there, not 13.
/// </summary>
public static class PyramidShapes
{
    /// <summary>The output shape of every layer of <paramref name="model"/> (first node) for an input image of (height, width[, channels]).</summary>
    public static Dictionary<string, Shape> layer_shapes(long[] image_shape, Model model)
    {
        if (model.inputs.Count != 1) throw new ArgumentException($"Model '{model.name}' has {model.inputs.Count} inputs; pyramid shapes need one image input.");
        var input = model.inputs[0].shape;
        var channels = image_shape.Length > 2 ? image_shape[2] : input[-1];
        var shapes = new Dictionary<KerasTensor, Shape>(ReferenceEqualityComparer.Instance)
        {
            [model.inputs[0]] = new Shape(null, image_shape[0], image_shape[1], channels),
        };
        var byName = new Dictionary<string, Shape>();
        foreach (var node in model.nodes)
        {
            if (node.is_input) continue;
            var args = node.input_tensors.IsList
                ? new Shapes(node.input_tensors.Select(t => shapes[t]))
                : (Shapes)shapes[node.input_tensors[0]];
            var result = node.layer.compute_output_shape(args);
            for (int i = 0; i < result.Count; i++) shapes[node.outputs[i]] = result[i];
            byName.TryAdd(node.layer.name, result[0]);
        }
        return byName;
    }

    /// <summary>
    /// keras-retinanet's <c>make_shapes_callback(model)</c>: a <see cref="ShapesCallback"/> giving, for an image
    /// shape, the (height, width) of <c>P{level}</c> for each requested level. Results are cached per image size.
    /// </summary>
    public static ShapesCallback make_shapes_callback(Model model)
    {
        foreach (var level in AnchorConfig.DefaultPyramidLevels.Take(3))
            if (!model.layers.Any(l => l.name == $"P{level}"))
                throw new ArgumentException($"Model '{model.name}' has no layer 'P{level}'; pyramid shapes are read from a RetinaNet training model.");
        var cache = new Dictionary<(long, long), Dictionary<string, Shape>>();
        var gate = new object();
        return (image_shape, pyramid_levels) =>
        {
            Dictionary<string, Shape> shapes;
            lock (gate)
            {
                if (!cache.TryGetValue((image_shape[0], image_shape[1]), out shapes!))
                    cache[(image_shape[0], image_shape[1])] = shapes = layer_shapes(image_shape, model);
            }
            return pyramid_levels.Select(level =>
            {
                if (!shapes.TryGetValue($"P{level}", out var shape))
                    throw new ArgumentException($"Model '{model.name}' has no layer 'P{level}' for pyramid level {level}.");
                return new[] { shape[1] ?? throw new InvalidOperationException($"P{level} height is unknown."),
                               shape[2] ?? throw new InvalidOperationException($"P{level} width is unknown.") };
            }).ToList();
        };
    }

    /// <summary>
    /// The shapes callback a backbone needs, as keras-retinanet's train.py chooses it: computed from the model for
    /// VGG and DenseNet (floored poolings), <see cref="AnchorMath.guess_shapes"/> otherwise.
    /// </summary>
    public static ShapesCallback For(string backbone, Model model) =>
        backbone.Contains("vgg") || backbone.Contains("densenet") ? make_shapes_callback(model) : AnchorMath.guess_shapes;
}
