using System.Text.Json.Nodes;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace RetinaNet.Core.Layers;

/// <summary>
/// Enlarges NHWC images by integer factors (Keras <c>UpSampling2D</c>). "nearest" repeats every pixel
/// <c>size</c> times; "bilinear" is tf.keras 2.x's <c>tf.image.resize</c> with half-pixel centres, which is
/// libtorch's bilinear interpolation with <c>align_corners=false</c> (both clamp at the border).
/// </summary>
public class UpSampling2D : Layer
{
    /// <summary>Creates the layer (Keras arguments and defaults: size 2×2, "nearest").</summary>
    public UpSampling2D(IntPair? size = null, string? data_format = null, string interpolation = "nearest",
        string? name = null, bool trainable = true, string dtype = "float32")
        : base(name, trainable, dtype)
    {
        DataFormat.ChannelsLastOnly(data_format, nameof(UpSampling2D));
        if (interpolation is not ("nearest" or "bilinear"))
            throw new ArgumentException($"UpSampling2D supports interpolation 'nearest' or 'bilinear' (got '{interpolation}').");
        this.size = size ?? 2;
        if (this.size.first <= 0 || this.size.second <= 0)
            throw new ArgumentException($"UpSampling2D size must be positive, got {this.size}.");
        this.interpolation = interpolation;
        input_spec = new InputSpec { ndim = 4 };
    }

    /// <summary>Factors for height and width.</summary>
    public IntPair size { get; }
    /// <summary>"nearest" or "bilinear".</summary>
    public string interpolation { get; }

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        Tensor x = inputs;
        var (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        if (interpolation == "nearest")
        {
            // Exact repetition by broadcasting; avoids libtorch's floating-point source-index arithmetic.
            using var grid = x.reshape(n, h, 1, w, 1, c).expand(n, h, size.first, w, size.second, c);
            return grid.reshape(n, h * size.first, w * size.second, c);
        }
        using var nchw = x.permute(0, 3, 1, 2);
        using var y = F.interpolate(nchw, new long[] { h * size.first, w * size.second },
            mode: InterpolationMode.Bilinear, align_corners: false);
        return y.permute(0, 2, 3, 1);
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        Shape s = input_shape;
        if (s.rank != 4) throw new ArgumentException($"UpSampling2D expects inputs of rank 4 (NHWC), got shape {s}.");
        return new Shape(s[0], s[1] * size.first, s[2] * size.second, s[3]);
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["size"] = size.ToJson();
        config["data_format"] = "channels_last";
        config["interpolation"] = interpolation;
        return config;
    }
}
