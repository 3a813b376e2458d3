using System.Text.Json.Nodes;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace RetinaNet.Core.Layers;

/// <summary>
/// What Dense, Conv2D and DepthwiseConv2D share (Keras' base conv layer plays this part): an activation after the
/// product, an optional bias with its initializer, and regularizers/constraints that are kept only so the config
/// round-trips (they do not affect the forward pass).
/// </summary>
public abstract class KernelLayer : Layer
{
    readonly Func<Tensor, Tensor> activationFn;
    readonly Dictionary<string, JsonNode?> regularizers;

    /// <summary>Stores the shared arguments; <paramref name="regularizers"/> are config key → value.</summary>
    protected KernelLayer(string? activation, bool use_bias, object? bias_initializer,
        IEnumerable<KeyValuePair<string, JsonNode?>> regularizers, string? name, bool trainable, string dtype)
        : base(name, trainable, dtype)
    {
        this.activation = activation ?? "linear";
        this.use_bias = use_bias;
        this.bias_initializer = Initializer.Get(bias_initializer ?? "zeros");
        this.regularizers = new Dictionary<string, JsonNode?>(regularizers);
        activationFn = Activations.Get(this.activation);
    }

    /// <summary>Activation name.</summary>
    public string activation { get; }
    /// <summary>Whether a bias is added.</summary>
    public bool use_bias { get; }
    /// <summary>Bias initializer.</summary>
    public Initializer bias_initializer { get; }
    /// <summary>The bias, or null.</summary>
    public KerasVariable? bias { get; protected set; }

    /// <summary>The kernel initializer argument, Keras' default when not given.</summary>
    protected static Initializer KernelInitializer(object? initializer) => Initializer.Get(initializer ?? "glorot_uniform");

    /// <summary>Creates the bias weight of <paramref name="size"/> when <see cref="use_bias"/>.</summary>
    protected void BuildBias(long size)
    {
        if (use_bias) bias = add_weight("bias", new Shape(new long[] { size }), bias_initializer);
    }

    /// <summary>The activation of <paramref name="y"/>; <paramref name="y"/> is disposed when a new tensor is made.</summary>
    protected Tensor Activate(Tensor y)
    {
        if (activation == "linear") return y;
        var activated = activationFn(y);
        y.Dispose();
        return activated;
    }

    /// <summary>Writes the given regularizer/constraint keys, in that order.</summary>
    protected void WriteRegularizers(JsonObject config, params string[] keys)
    {
        foreach (var key in keys) config[key] = regularizers[key]?.DeepClone();
    }

    /// <summary>Writes every regularizer/constraint key, in the order they were given.</summary>
    protected void WriteRegularizers(JsonObject config)
    {
        foreach (var (key, value) in regularizers) config[key] = value?.DeepClone();
    }

    /// <summary>
    /// 2-D convolution of an NCHW tensor with TensorFlow's padding (extra row/column at the bottom/right when the
    /// "same" total is odd, padded explicitly then), before the activation.
    /// </summary>
    protected Tensor Convolve(Tensor nchw, Tensor weight, IntPair kernel_size, IntPair strides, IntPair dilation_rate,
        string padding, long groups)
    {
        var compute = dtype_policy.ComputeTypeFor(nchw);
        if (compute == nchw.dtype) return ConvolveAs(nchw, weight, bias?.value, kernel_size, strides, dilation_rate, padding, groups);
        // Mixed precision: input, kernel and bias cast (channels-last kept), oneDNN accumulates in fp32, result to fp32.
        // The casts are differentiable, so training's gradients reach the fp32 weights in fp32.
        using var x = nchw.to(compute);
        using var w = weight.to(compute);
        using var b = bias?.value.to(compute);
        using var y = ConvolveAs(x, w, b, kernel_size, strides, dilation_rate, padding, groups);
        return y.to(nchw.dtype);
    }

    /// <summary>
    /// <c>x · weight</c> on the last axis (weight (in, out)) in the policy's compute type, result in the type of
    /// <paramref name="x"/>, before the bias and activation.
    /// </summary>
    protected Tensor MatMul(Tensor x, Tensor weight)
    {
        var compute = dtype_policy.ComputeTypeFor(x);
        if (compute == x.dtype) return x.matmul(weight);
        using var xc = x.to(compute);
        using var wc = weight.to(compute);
        using var y = xc.matmul(wc);
        return y.to(x.dtype);
    }

    Tensor ConvolveAs(Tensor nchw, Tensor weight, Tensor? bias, IntPair kernel_size, IntPair strides, IntPair dilation_rate,
        string padding, long groups)
    {
        var padH = Padding.Same(nchw.shape[2], kernel_size.first, strides.first, dilation_rate.first, padding);
        var padW = Padding.Same(nchw.shape[3], kernel_size.second, strides.second, dilation_rate.second, padding);
        if (padH.before == padH.after && padW.before == padW.after)
            return F.conv2d(nchw, weight, bias, strides.ToLongs(), new long[] { padH.before, padW.before },
                dilation_rate.ToLongs(), groups);
        using var padded = F.pad(nchw, new long[] { padW.before, padW.after, padH.before, padH.after });
        return F.conv2d(padded, weight, bias, strides.ToLongs(), new long[] { 0, 0 }, dilation_rate.ToLongs(), groups);
    }
}
