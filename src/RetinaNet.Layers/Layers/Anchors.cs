using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Layers.Utils;
using static TorchSharp.torch;

namespace RetinaNet.Layers;

/// <summary>
/// Anchors for one pyramid level, computed from the feature map's height and width (keras-retinanet
/// <c>layers.Anchors</c>): output (B, H·W·A, 4) float32 boxes, row <c>((y·W) + x)·A + a</c>, cell centres at
/// <c>(x + 0.5)·stride</c>. The base anchors are a constant of the layer, not a weight.
/// </summary>
public class Anchors : Layer
{
    readonly float[] baseAnchors;
    // Shifted anchors depend only on the feature map's size, so they are computed once per (height, width, device).
    // A few sizes are kept: training on images of varying shapes would otherwise grow the cache without bound.
    const int CachedShapes = 8;
    readonly List<((long height, long width, TorchSharp.DeviceType type, int index) key, Tensor anchors)> cache = new();

    /// <summary>Creates the layer.</summary>
    /// <param name="size">Base anchor size of the level, in input pixels.</param>
    /// <param name="stride">Stride of the level, in input pixels.</param>
    /// <param name="ratios">Aspect ratios (height / width); null for <see cref="AnchorConfig.Default"/>'s.</param>
    /// <param name="scales">Scales of <paramref name="size"/>; null for <see cref="AnchorConfig.Default"/>'s.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="trainable">Keras base key (the layer has no weights).</param>
    /// <param name="dtype">Keras base key.</param>
    public Anchors(int size, int stride, double[]? ratios = null, double[]? scales = null,
        string? name = null, bool trainable = true, string dtype = "float32")
        : base(name, trainable, dtype)
    {
        this.size = size;
        this.stride = stride;
        this.ratios = ratios ?? AnchorConfig.Default.ratios_as_double();
        this.scales = scales ?? AnchorConfig.Default.scales_as_double();
        using var generated = AnchorMath.generate_anchors(size, this.ratios, this.scales);
        using var single = generated.to(ScalarType.Float32);
        baseAnchors = single.data<float>().ToArray();
    }

    /// <summary>Base anchor size.</summary>
    public int size { get; }
    /// <summary>Stride.</summary>
    public int stride { get; }
    /// <summary>Aspect ratios.</summary>
    public double[] ratios { get; }
    /// <summary>Scales.</summary>
    public double[] scales { get; }
    /// <summary>Anchors per cell: <c>len(ratios) · len(scales)</c>.</summary>
    public int num_anchors => ratios.Length * scales.Length;

    /// <summary>The base anchors (A, 4), float32, centred on (0, 0); a new tensor on each access.</summary>
    public Tensor anchors => tensor(baseAnchors).reshape(num_anchors, 4);

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        Tensor features = inputs;
        if (features.dim() != 4)
            throw new ArgumentException($"Anchors expects a feature map of rank 4 (NHWC), got shape {Shape.Of(features)}.");
        var cached = ShiftedAnchors(features.shape[1], features.shape[2], features.device);
        // A new view per call: the batch shares the cached values, and callers may dispose what they get.
        return cached.expand(features.shape[0], -1, -1);
    }

    Tensor ShiftedAnchors(long height, long width, Device device)
    {
        lock (cache)
        {
            var key = (height, width, device.type, device.index);
            var found = cache.FindIndex(entry => entry.key == key);
            if (found >= 0) return cache[found].anchors;
            using var scope = NewDisposeScope();
            var cell = tensor(baseAnchors, device: device).reshape(num_anchors, 4);
            var shifted = AnchorMath.shift(new[] { height, width }, stride, cell).contiguous().DetachFromDisposeScope();
            if (cache.Count == CachedShapes)
            {
                cache[0].anchors.Dispose();
                cache.RemoveAt(0);
            }
            cache.Add((key, shifted));
            return shifted;
        }
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        Shape s = input_shape;
        if (s.rank != 4) throw new ArgumentException($"Anchors expects a feature map of rank 4 (NHWC), got shape {s}.");
        // As keras-retinanet: the count is known only when every non-batch axis is.
        return s.Skip(1).IsFullyDefined
            ? new Shape(s[0], s[1]!.Value * s[2]!.Value * num_anchors, 4)
            : new Shape(s[0], null, 4);
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["size"] = size;
        config["stride"] = stride;
        config["ratios"] = new JsonArray(ratios.Select(r => (JsonNode)JsonValue.Create(r)).ToArray());
        config["scales"] = new JsonArray(scales.Select(s => (JsonNode)JsonValue.Create(s)).ToArray());
        return config;
    }
}
