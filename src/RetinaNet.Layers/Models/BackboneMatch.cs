using RetinaNet.Core;

namespace RetinaNet.Layers;

/// <summary>
/// Whether a loaded model was built on a given backbone: every layer of that backbone, built afresh, must be in the
/// model under its name with weights of the same shapes. A snapshot resumed with another <c>--backbone</c> would
/// otherwise load (the file carries its own architecture) and then train with the wrong preprocessing and anchors.
/// </summary>
public static class BackboneMatch
{
    /// <summary>
    /// The first difference between <paramref name="model"/> and <paramref name="backbone"/>'s layers, or null
    /// when the model contains the backbone (same layer names, same weight shapes).
    /// </summary>
    public static string? first_difference(Backbone backbone, Model model)
    {
        Model reference;
        using (LayerNames.Fresh())
            (reference, _) = backbone.backbone_layers(keras.Input(new Shape(null, null, 3)));
        try
        {
            foreach (var layer in reference.layers)
            {
                if (layer.weights.Count == 0) continue;
                var found = RetinaNetBuilder.FindLayer(model, layer.name);
                if (found is null) return $"it has no layer '{layer.name}'";
                var expected = layer.weights.Select(w => w.shape.ToString());
                var actual = found.weights.Select(w => w.shape.ToString());
                if (!expected.SequenceEqual(actual))
                    return $"its layer '{layer.name}' has weights {string.Join(", ", actual)} where {backbone.backbone} has {string.Join(", ", expected)}";
            }
            return null;
        }
        finally
        {
            foreach (var w in reference.weights) w.value.Dispose();
        }
    }
}
