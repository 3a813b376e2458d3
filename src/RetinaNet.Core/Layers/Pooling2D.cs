using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>
/// Common part of <see cref="MaxPooling2D"/> and <see cref="AveragePooling2D"/> (Keras' <c>Pooling2D</c>):
/// window size, strides (default: the window size) and TensorFlow "valid"/"same" padding on NHWC tensors.
/// </summary>
public abstract class Pooling2D : Layer
{
    /// <summary>Stores the configuration shared by 2-D pooling layers.</summary>
    protected Pooling2D(IntPair? pool_size, IntPair? strides, string padding, string? data_format,
        string? name, bool trainable, string dtype)
        : base(name, trainable, dtype)
    {
        var kind = GetType().Name;
        DataFormat.ChannelsLastOnly(data_format, kind);
        padding = padding.ToLowerInvariant();
        if (padding is not ("valid" or "same"))
            throw new ArgumentException($"{kind} padding must be 'valid' or 'same' (got '{padding}').");
        this.pool_size = pool_size ?? 2;
        this.strides = strides ?? this.pool_size;
        if (this.pool_size.first <= 0 || this.pool_size.second <= 0 || this.strides.first <= 0 || this.strides.second <= 0)
            throw new ArgumentException($"{kind} pool_size and strides must be positive, got {this.pool_size} and {this.strides}.");
        this.padding = padding;
        input_spec = new InputSpec { ndim = 4 };
    }

    /// <summary>Window height and width.</summary>
    public IntPair pool_size { get; }
    /// <summary>Step between windows (Keras: defaults to <see cref="pool_size"/>).</summary>
    public IntPair strides { get; }
    /// <summary>"valid" or "same".</summary>
    public string padding { get; }

    /// <summary>TensorFlow's padding of each spatial axis, (before, after); the extra one goes after.</summary>
    protected ((long before, long after) rows, (long before, long after) cols) PaddingFor(Tensor nhwc) => (
        Padding.Same(nhwc.shape[1], pool_size.first, strides.first, 1, padding),
        Padding.Same(nhwc.shape[2], pool_size.second, strides.second, 1, padding));

    /// <summary>
    /// True when libtorch's own (symmetric) padding argument can express the padding: same on both sides and at
    /// most half the window, as libtorch requires.
    /// </summary>
    protected bool IsNativePadding((long before, long after) rows, (long before, long after) cols) =>
        rows.before == rows.after && cols.before == cols.after &&
        rows.before <= pool_size.first / 2 && cols.before <= pool_size.second / 2;

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        Shape s = input_shape;
        if (s.rank != 4) throw new ArgumentException($"{GetType().Name} expects inputs of rank 4 (NHWC), got shape {s}.");
        return new Shape(s[0],
            Padding.OutputSize(s[1], pool_size.first, strides.first, 1, padding),
            Padding.OutputSize(s[2], pool_size.second, strides.second, 1, padding),
            s[3]);
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["pool_size"] = pool_size.ToJson();
        config["padding"] = padding;
        config["strides"] = strides.ToJson();
        config["data_format"] = "channels_last";
        return config;
    }
}
