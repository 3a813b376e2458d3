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
        var padH = Padding.Same(nchw.shape[2], kernel_size.first, strides.first, dilation_rate.first, padding);
        var padW = Padding.Same(nchw.shape[3], kernel_size.second, strides.second, dilation_rate.second, padding);
        if (padH.before == padH.after && padW.before == padW.after)
            return F.conv2d(nchw, weight, bias?.value, strides.ToLongs(), new long[] { padH.before, padW.before },
                dilation_rate.ToLongs(), groups);
        using var padded = F.pad(nchw, new long[] { padW.before, padW.after, padH.before, padH.after });
        return F.conv2d(padded, weight, bias?.value, strides.ToLongs(), new long[] { 0, 0 }, dilation_rate.ToLongs(), groups);
    }
}
