using System.Text.Json.Nodes;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace RetinaNet.Core.Layers;

/// <summary>
/// Keras' <c>GroupNormalization</c> (tf.keras 2.11+): the channels on <c>axis</c> are split into <c>groups</c>
/// groups, and each sample is normalised over every position and channel of a group:
/// <c>gamma · (x − mean) / sqrt(var + epsilon) + beta</c> with the biased variance, in training and inference alike.
/// Weights, in Keras order: gamma, beta (per channel). PyTorch's <c>nn.GroupNorm(groups, C)</c> computes the same
/// (its epsilon defaults to 1e-5; Keras' to 1e-3).
/// </summary>
public class GroupNormalization : Layer
{
    readonly Dictionary<string, JsonNode?> regularizers;

    /// <summary>Creates the layer (Keras arguments and defaults).</summary>
    /// <param name="groups">Number of groups; must divide the channels.</param>
    /// <param name="axis">The channel axis (only the last, -1, is supported: the engine is NHWC).</param>
    /// <param name="epsilon">Added to the variance before the square root.</param>
    /// <param name="center">Whether to add <c>beta</c>.</param>
    /// <param name="scale">Whether to multiply by <c>gamma</c>.</param>
    /// <param name="beta_initializer">Initializer of beta (default zeros).</param>
    /// <param name="gamma_initializer">Initializer of gamma (default ones).</param>
    /// <param name="beta_regularizer">Kept for the config; not applied.</param>
    /// <param name="gamma_regularizer">Kept for the config; not applied.</param>
    /// <param name="beta_constraint">Kept for the config; not applied.</param>
    /// <param name="gamma_constraint">Kept for the config; not applied.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="trainable">Whether gamma and beta train.</param>
    /// <param name="dtype">Keras dtype name.</param>
    public GroupNormalization(int groups = 32, int axis = -1, double epsilon = 1e-3, bool center = true, bool scale = true,
        object? beta_initializer = null, object? gamma_initializer = null,
        JsonNode? beta_regularizer = null, JsonNode? gamma_regularizer = null, JsonNode? beta_constraint = null,
        JsonNode? gamma_constraint = null, string? name = null, bool trainable = true, string dtype = "float32")
        : base(name, trainable, dtype)
    {
        if (groups <= 0) throw new ArgumentException($"GroupNormalization groups must be positive (got {groups}).");
        if (axis != -1) throw new ArgumentException($"GroupNormalization supports axis=-1 only (got {axis}).");
        this.groups = groups;
        this.axis = axis;
        this.epsilon = epsilon;
        this.center = center;
        this.scale = scale;
        this.beta_initializer = Initializer.Get(beta_initializer ?? "zeros");
        this.gamma_initializer = Initializer.Get(gamma_initializer ?? "ones");
        regularizers = new() { ["beta_regularizer"] = beta_regularizer, ["gamma_regularizer"] = gamma_regularizer,
            ["beta_constraint"] = beta_constraint, ["gamma_constraint"] = gamma_constraint };
    }

    /// <summary>Number of groups.</summary>
    public int groups { get; }
    /// <summary>The channel axis (-1).</summary>
    public int axis { get; }
    /// <summary>Added to the variance.</summary>
    public double epsilon { get; }
    /// <summary>Whether beta is added.</summary>
    public bool center { get; }
    /// <summary>Whether gamma multiplies.</summary>
    public bool scale { get; }
    /// <summary>Initializer of beta.</summary>
    public Initializer beta_initializer { get; }
    /// <summary>Initializer of gamma.</summary>
    public Initializer gamma_initializer { get; }
    /// <summary>Scale per channel, or null.</summary>
    public KerasVariable? gamma { get; private set; }
    /// <summary>Offset per channel, or null.</summary>
    public KerasVariable? beta { get; private set; }

    /// <inheritdoc/>
    public override void build(Shapes input_shape)
    {
        Shape shape = input_shape;
        if (shape.rank < 2) throw new ArgumentException($"GroupNormalization expects inputs of rank 2 or more, got shape {shape}.");
        var channels = shape[-1] ?? throw new ArgumentException(
            $"Axis {axis} of input tensor should have a defined dimension but the layer received an input with shape {shape}.");
        if (channels % groups != 0)
            throw new ArgumentException(
                $"Number of groups ({groups}) must be a multiple of the number of channels ({channels}).");
        var paramShape = new Shape(new[] { channels });
        if (scale) gamma = add_weight("gamma", paramShape, gamma_initializer);
        if (center) beta = add_weight("beta", paramShape, beta_initializer);
        input_spec = new InputSpec { ndim = shape.rank, axes = new Dictionary<int, long> { [-1] = channels } };
        base.build(input_shape);
    }

    internal override bool ReturnsOwnMemory => true;

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        Tensor x = inputs;
        var rank = (int)x.dim();
        // libtorch's group_norm wants channels on axis 1. It is given a contiguous NCHW copy: on the channels-last
        // view of an NHWC tensor, libtorch 2.10's CPU kernel gives wrong results when a spatial axis has size 1.
        var toFirst = new long[rank];
        var toLast = new long[rank];
        toFirst[0] = 0; toFirst[1] = rank - 1;
        for (int i = 2; i < rank; i++) toFirst[i] = i - 1;
        toLast[0] = 0; toLast[rank - 1] = 1;
        for (int i = 1; i < rank - 1; i++) toLast[i] = i + 1;
        using var permuted = x.permute(toFirst);
        using var channelsFirst = permuted.contiguous();
        using var y = F.group_norm(channelsFirst, groups, gamma?.value, beta?.value, epsilon);
        return y.permute(toLast);
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape) => (Shape)input_shape;

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["groups"] = groups;
        config["axis"] = axis;
        config["epsilon"] = epsilon;
        config["center"] = center;
        config["scale"] = scale;
        config["beta_initializer"] = beta_initializer.serialize();
        config["gamma_initializer"] = gamma_initializer.serialize();
        foreach (var (key, value) in regularizers) config[key] = value?.DeepClone();
        return config;
    }
}
