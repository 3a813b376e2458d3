using System.Text.Json.Nodes;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace RetinaNet.Core.Layers;

/// <summary>
/// 2-D convolution on NHWC tensors. The kernel is (kh, kw, in/groups, filters) in Keras layout and stored for
/// libtorch in channels-last memory, so the NHWC input permuted to NCHW is used without a copy.
/// "same" padding follows TensorFlow: when the total is odd the extra row/column goes at the bottom/right.
/// </summary>
public class Conv2D : KernelLayer
{
    /// <summary>Creates the layer (Keras arguments and defaults; only channels_last).</summary>
    public Conv2D(int filters, IntPair kernel_size, IntPair? strides = null, string padding = "valid",
        string data_format = "channels_last", IntPair? dilation_rate = null, int groups = 1, string? activation = null,
        bool use_bias = true, object? kernel_initializer = null, object? bias_initializer = null,
        JsonNode? kernel_regularizer = null, JsonNode? bias_regularizer = null, JsonNode? activity_regularizer = null,
        JsonNode? kernel_constraint = null, JsonNode? bias_constraint = null,
        string? name = null, bool trainable = true, string dtype = "float32")
        : base(activation, use_bias, bias_initializer, new Dictionary<string, JsonNode?>
            {
                ["kernel_regularizer"] = kernel_regularizer, ["bias_regularizer"] = bias_regularizer,
                ["activity_regularizer"] = activity_regularizer, ["kernel_constraint"] = kernel_constraint,
                ["bias_constraint"] = bias_constraint,
            }, name, trainable, dtype)
    {
        if (data_format != "channels_last")
            throw new ArgumentException($"Conv2D supports data_format='channels_last' only (got '{data_format}').");
        padding = padding.ToLowerInvariant();
        if (padding is not ("valid" or "same"))
            throw new ArgumentException($"Conv2D padding must be 'valid' or 'same' (got '{padding}').");
        if (filters <= 0 || filters % groups != 0)
            throw new ArgumentException($"Conv2D filters ({filters}) must be positive and divisible by groups ({groups}).");
        this.filters = filters;
        this.kernel_size = kernel_size;
        this.strides = strides ?? 1;
        this.padding = padding;
        this.dilation_rate = dilation_rate ?? 1;
        this.groups = groups;
        this.kernel_initializer = KernelInitializer(kernel_initializer);
    }

    /// <summary>Number of output channels.</summary>
    public int filters { get; }
    /// <summary>Kernel height and width.</summary>
    public IntPair kernel_size { get; }
    /// <summary>Strides.</summary>
    public IntPair strides { get; }
    /// <summary>"valid" or "same".</summary>
    public string padding { get; }
    /// <summary>Dilation.</summary>
    public IntPair dilation_rate { get; }
    /// <summary>Channel groups.</summary>
    public int groups { get; }
    /// <summary>Kernel initializer.</summary>
    public Initializer kernel_initializer { get; }

    /// <summary>The kernel, Keras shape (kh, kw, in/groups, filters).</summary>
    public KerasVariable kernel { get; private set; } = null!;

    /// <inheritdoc/>
    public override void build(Shapes input_shape)
    {
        Shape shape = input_shape;
        if (shape.rank != 4) throw new ArgumentException($"Conv2D expects inputs of rank 4 (NHWC), got shape {shape}.");
        var channels = shape[-1] ?? throw new ArgumentException("The channel dimension of the inputs should be defined. Found None.");
        if (channels % groups != 0)
            throw new ArgumentException($"The number of input channels ({channels}) must be divisible by groups ({groups}).");
        kernel = add_weight("kernel", new Shape(new long[] { kernel_size.first, kernel_size.second, channels / groups, filters }),
            kernel_initializer, layout: VariableLayout.Conv2DKernel);
        BuildBias(filters);
        input_spec = new InputSpec { ndim = 4, axes = new Dictionary<int, long> { [-1] = channels } };
        base.build(input_shape);
    }

    internal override bool ReturnsOwnMemory => true;

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        Tensor x = inputs;
        if (kernel_size is { first: 1, second: 1 } && groups == 1) return PointwiseCall(x);
        if (groups > 1 && x.shape[3] == groups && filters > groups) return OneChannelGroupsCall(x);
        using var nchw = x.permute(0, 3, 1, 2);
        var y = Activate(Convolve(nchw, kernel.value, kernel_size, strides, dilation_rate, padding, groups));
        return y.permute(0, 2, 3, 1);
    }

    /// <summary>
    /// One input channel per group and several outputs each (a depthwise convolution with a multiplier): libtorch
    /// 2.10's channels-last CPU path computes this wrongly, and with one channel per group the channels-last kernel
    /// also passes as plain NCHW, so both operands are given plain NCHW strides (as <see cref="DepthwiseKernelLayout"/> does).
    /// </summary>
    Tensor OneChannelGroupsCall(Tensor x)
    {
        using var nchw = x.permute(0, 3, 1, 2).contiguous();
        var w = kernel.value;
        using var weight = w.as_strided(w.shape, new[] { w.shape[2] * w.shape[3], w.shape[2] * w.shape[3], w.shape[3], 1L });
        var y = Activate(Convolve(nchw, weight, kernel_size, strides, dilation_rate, padding, groups));
        return y.permute(0, 2, 3, 1);
    }

    /// <summary>
    /// A 1×1 convolution is a matrix product over channels after taking every stride-th pixel; padding is never
    /// needed. Done that way on the NHWC tensor (as Keras 3 does on torch), it avoids a libtorch 2.10 CPU bug:
    /// oneDNN's strided 1×1 convolution on channels-last inputs with fewer than 16 channels corrupts the heap.
    /// </summary>
    Tensor PointwiseCall(Tensor x)
    {
        using var scope = NewDisposeScope();
        var sampled = strides is { first: 1, second: 1 } ? x : x.slice(1, 0, x.shape[1], strides.first).slice(2, 0, x.shape[2], strides.second);
        var weight = kernel.value.view(kernel.value.shape[0], kernel.value.shape[1]); // (out, in)
        var y = MatMul(sampled, weight.t());
        if (bias is not null) y = y.add(bias.value, HeldScalar.One);
        return Activate(y).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        Shape s = input_shape;
        if (s.rank != 4) throw new ArgumentException($"Conv2D expects inputs of rank 4 (NHWC), got shape {s}.");
        return new Shape(s[0],
            Padding.OutputSize(s[1], kernel_size.first, strides.first, dilation_rate.first, padding),
            Padding.OutputSize(s[2], kernel_size.second, strides.second, dilation_rate.second, padding),
            filters);
    }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["filters"] = filters;
        config["kernel_size"] = kernel_size.ToJson();
        config["strides"] = strides.ToJson();
        config["padding"] = padding;
        config["data_format"] = "channels_last";
        config["dilation_rate"] = dilation_rate.ToJson();
        config["groups"] = groups;
        config["activation"] = activation;
        config["use_bias"] = use_bias;
        config["kernel_initializer"] = kernel_initializer.serialize();
        config["bias_initializer"] = bias_initializer.serialize();
        WriteRegularizers(config);
        return config;
    }
}
