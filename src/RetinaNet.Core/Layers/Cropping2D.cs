using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>Removes rows and columns at the borders of NHWC images (Keras <c>Cropping2D</c>).</summary>
public class Cropping2D : Layer
{
    /// <summary>Creates the layer; <paramref name="cropping"/> defaults to nothing, as in Keras.</summary>
    public Cropping2D(SpatialMargins? cropping = null, string? data_format = null,
        string? name = null, bool trainable = true, string dtype = "float32")
        : base(name, trainable, dtype)
    {
        this.cropping = cropping ?? 0;
        DataFormat.ChannelsLastOnly(data_format, nameof(Cropping2D));
        if (this.cropping.top < 0 || this.cropping.bottom < 0 || this.cropping.left < 0 || this.cropping.right < 0)
            throw new ArgumentException($"Cropping2D cropping must not be negative, got {this.cropping}.");
        input_spec = new InputSpec { ndim = 4 };
    }

    /// <summary>Rebuilds the layer from a Keras config (<c>cropping</c> in any of its forms).</summary>
    public static Cropping2D from_config(JsonObject config)
    {
        var layer = new Cropping2D(SpatialMargins.FromJson(config["cropping"], "cropping"),
            config["data_format"]?.GetValue<string>());
        ConfigBinder.ApplyBaseKeys(layer, config);
        return layer;
    }

    /// <summary>Rows and columns removed at the top, bottom, left and right.</summary>
    public SpatialMargins cropping { get; }

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        Tensor x = inputs;
        var shape = Shape.Of(x);
        var height = Remaining(shape[1], cropping.top + cropping.bottom, shape)!.Value;
        var width = Remaining(shape[2], cropping.left + cropping.right, shape)!.Value;
        using var rows = x.narrow(1, cropping.top, height);
        return rows.narrow(2, cropping.left, width);
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        Shape s = input_shape;
        if (s.rank != 4) throw new ArgumentException($"Cropping2D expects inputs of rank 4 (NHWC), got shape {s}.");
        return new Shape(s[0], Remaining(s[1], cropping.top + cropping.bottom, s), Remaining(s[2], cropping.left + cropping.right, s), s[3]);
    }

    long? Remaining(long? size, int removed, Shape shape)
    {
        if (size is not long n) return null;
        if (n - removed <= 0)
            throw new ArgumentException($"Cropping {cropping} removes the whole input of shape {shape}.");
        return n - removed;
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["cropping"] = cropping.ToJson();
        config["data_format"] = "channels_last";
        return config;
    }
}
