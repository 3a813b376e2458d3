using System.Text.Json.Nodes;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace RetinaNet.Core.Layers;

/// <summary>Adds rows and columns of zeros around NHWC images (Keras <c>ZeroPadding2D</c>).</summary>
public class ZeroPadding2D : Layer
{
    /// <summary>Creates the layer; <paramref name="padding"/> defaults to 1 on every side, as in Keras.</summary>
    public ZeroPadding2D(SpatialMargins? padding = null, string? data_format = null,
        string? name = null, bool trainable = true, string dtype = "float32")
        : base(name, trainable, dtype)
    {
        this.padding = padding ?? 1;
        DataFormat.ChannelsLastOnly(data_format, nameof(ZeroPadding2D));
        if (this.padding.top < 0 || this.padding.bottom < 0 || this.padding.left < 0 || this.padding.right < 0)
            throw new ArgumentException($"ZeroPadding2D padding must not be negative, got {this.padding}.");
        input_spec = new InputSpec { ndim = 4 };
    }

    /// <summary>Rebuilds the layer from a Keras config (<c>padding</c> in any of its forms).</summary>
    public static ZeroPadding2D from_config(JsonObject config)
    {
        var layer = new ZeroPadding2D(SpatialMargins.FromJson(config["padding"], "padding"),
            config["data_format"]?.GetValue<string>());
        ConfigBinder.ApplyBaseKeys(layer, config);
        return layer;
    }

    /// <summary>Zeros added above, below, left and right.</summary>
    public SpatialMargins padding { get; }

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        Tensor x = inputs;
        // F.pad lists the last axis first: (C before/after, W left/right, H top/bottom).
        return F.pad(x, new long[] { 0, 0, padding.left, padding.right, padding.top, padding.bottom });
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        Shape s = input_shape;
        if (s.rank != 4) throw new ArgumentException($"ZeroPadding2D expects inputs of rank 4 (NHWC), got shape {s}.");
        return new Shape(s[0], s[1] + padding.top + padding.bottom, s[2] + padding.left + padding.right, s[3]);
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["padding"] = padding.ToJson();
        config["data_format"] = "channels_last";
        return config;
    }
}
