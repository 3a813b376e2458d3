using System.Text.Json.Nodes;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace RetinaNet.Core.Layers;

/// <summary>
/// Depthwise 2-D convolution on NHWC tensors (Keras <c>DepthwiseConv2D</c>): each input channel is convolved with
/// its own <c>depth_multiplier</c> filters and nothing mixes channels. The kernel is (kh, kw, in, depth_multiplier)
/// in Keras layout and a grouped convolution kernel for libtorch (see <see cref="DepthwiseKernelLayout"/>).
/// With depth_multiplier 1 the NHWC input is used as a channels-last view without a copy.
/// "same" padding follows TensorFlow (extra row/column at the bottom/right).
/// </summary>
public class DepthwiseConv2D : KernelLayer
{
    /// <summary>Creates the layer (Keras 2 arguments and defaults; only channels_last).</summary>
    public DepthwiseConv2D(IntPair kernel_size, IntPair? strides = null, string padding = "valid", int depth_multiplier = 1,
        string? data_format = null, IntPair? dilation_rate = null, string? activation = null, bool use_bias = true,
        object? depthwise_initializer = null, object? bias_initializer = null, JsonNode? depthwise_regularizer = null,
        JsonNode? bias_regularizer = null, JsonNode? activity_regularizer = null, JsonNode? depthwise_constraint = null,
        JsonNode? bias_constraint = null, string? name = null, bool trainable = true, string dtype = "float32")
        : base(activation, use_bias, bias_initializer, new Dictionary<string, JsonNode?>
            {
                ["bias_regularizer"] = bias_regularizer, ["activity_regularizer"] = activity_regularizer,
                ["bias_constraint"] = bias_constraint, ["depthwise_regularizer"] = depthwise_regularizer,
                ["depthwise_constraint"] = depthwise_constraint,
            }, name, trainable, dtype)
    {
        DataFormat.ChannelsLastOnly(data_format, nameof(DepthwiseConv2D));
        padding = padding.ToLowerInvariant();
        if (padding is not ("valid" or "same"))
            throw new ArgumentException($"DepthwiseConv2D padding must be 'valid' or 'same' (got '{padding}').");
        if (depth_multiplier <= 0)
            throw new ArgumentException($"DepthwiseConv2D depth_multiplier must be positive (got {depth_multiplier}).");
        this.kernel_size = kernel_size;
        this.strides = strides ?? 1;
        this.padding = padding;
        this.depth_multiplier = depth_multiplier;
        this.dilation_rate = dilation_rate ?? 1;
        this.depthwise_initializer = KernelInitializer(depthwise_initializer);
    }

    /// <summary>Kernel height and width.</summary>
    public IntPair kernel_size { get; }
    /// <summary>Strides.</summary>
    public IntPair strides { get; }
    /// <summary>"valid" or "same".</summary>
    public string padding { get; }
    /// <summary>Output channels per input channel.</summary>
    public int depth_multiplier { get; }
    /// <summary>Dilation.</summary>
    public IntPair dilation_rate { get; }
    /// <summary>Kernel initializer (Keras: fans computed on the (kh, kw, in, multiplier) shape).</summary>
    public Initializer depthwise_initializer { get; }

    /// <summary>The kernel, Keras shape (kh, kw, in, depth_multiplier).</summary>
    public KerasVariable depthwise_kernel { get; private set; } = null!;

    /// <inheritdoc/>
    public override void build(Shapes input_shape)
    {
        Shape shape = input_shape;
        if (shape.rank != 4) throw new ArgumentException($"DepthwiseConv2D expects inputs of rank 4 (NHWC), got shape {shape}.");
        var channels = shape[-1] ?? throw new ArgumentException("The channel dimension of the inputs to DepthwiseConv2D should be defined. Found None.");
        depthwise_kernel = add_weight("depthwise_kernel",
            new Shape(new long[] { kernel_size.first, kernel_size.second, channels, depth_multiplier }),
            depthwise_initializer, layout: new DepthwiseKernelLayout(depth_multiplier));
        BuildBias(channels * depth_multiplier);
        input_spec = new InputSpec { ndim = 4, axes = new Dictionary<int, long> { [-1] = channels } };
        base.build(input_shape);
    }

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        Tensor x = inputs;
        var groups = x.shape[3];
        // libtorch 2.10 (CPU) computes depthwise convolutions with several output channels per group wrongly on
        // channels-last inputs, so those get a contiguous NCHW copy (see DepthwiseKernelLayout; pinned by a test).
        using var nchw = depth_multiplier == 1 ? x.permute(0, 3, 1, 2) : x.permute(0, 3, 1, 2).contiguous();
        var y = Activate(Convolve(nchw, depthwise_kernel.value, kernel_size, strides, dilation_rate, padding, groups));
        using (y) return y.permute(0, 2, 3, 1);
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        Shape s = input_shape;
        if (s.rank != 4) throw new ArgumentException($"DepthwiseConv2D expects inputs of rank 4 (NHWC), got shape {s}.");
        return new Shape(s[0],
            Padding.OutputSize(s[1], kernel_size.first, strides.first, dilation_rate.first, padding),
            Padding.OutputSize(s[2], kernel_size.second, strides.second, dilation_rate.second, padding),
            s[3] * depth_multiplier);
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        // tf.keras 2.x: Conv2D's config without filters and kernel_*, plus the depthwise_* keys.
        var config = base.get_config();
        config["kernel_size"] = kernel_size.ToJson();
        config["strides"] = strides.ToJson();
        config["padding"] = padding;
        config["data_format"] = "channels_last";
        config["dilation_rate"] = dilation_rate.ToJson();
        config["groups"] = 1;
        config["activation"] = activation;
        config["use_bias"] = use_bias;
        config["bias_initializer"] = bias_initializer.serialize();
        WriteRegularizers(config, "bias_regularizer", "activity_regularizer", "bias_constraint");
        config["depth_multiplier"] = depth_multiplier;
        config["depthwise_initializer"] = depthwise_initializer.serialize();
        WriteRegularizers(config, "depthwise_regularizer", "depthwise_constraint");
        return config;
    }
}
