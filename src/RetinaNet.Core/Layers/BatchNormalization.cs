using System.Text.Json.Nodes;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace RetinaNet.Core.Layers;

/// <summary>
/// Keras 2 <c>BatchNormalization</c>: <c>gamma · (x − mean) / sqrt(var + epsilon) + beta</c> over the <c>axis</c>
/// features. In training (see <see cref="UseBatchStatistics"/>) mean and var are the batch's (biased) moments and
/// the moving statistics move towards them: <c>moving = momentum · moving + (1 − momentum) · batch</c>; otherwise
/// the moving statistics are used. Weights, in Keras order: gamma, beta (trainable), moving_mean, moving_variance.
/// </summary>
/// <remarks>
/// tf.keras 2.x uses its fused kernel for 4-D and 5-D inputs normalised on the last axis (or axis 1), and that kernel
/// feeds the moving variance the <em>unbiased</em> batch variance (n/(n−1) times the biased one). The same inputs
/// here go through libtorch's <c>batch_norm</c> on the channels-last NCHW view, which does exactly that (its
/// momentum is 1 − Keras' momentum). Other ranks and axes use tensor math with the biased variance throughout, as
/// Keras' non-fused path does; so does <c>fused: false</c>.
/// Subclasses (e.g. keras-resnet's frozen BatchNormalization) can override <see cref="UseBatchStatistics"/>.
/// </remarks>
public class BatchNormalization : Layer
{
    readonly int[] requestedAxes;
    readonly bool axisIsInt;
    readonly Dictionary<string, JsonNode?> regularizers;
    int[]? builtAxes;
    bool usesFusedKernel;

    /// <summary>Creates the layer (Keras 2 arguments and defaults).</summary>
    /// <param name="axis">The feature axis: an int or a list of ints (negative from the end); default -1.</param>
    /// <param name="momentum">Weight of the old moving statistics in each update.</param>
    /// <param name="epsilon">Added to the variance before the square root.</param>
    /// <param name="center">Whether to add <c>beta</c>.</param>
    /// <param name="scale">Whether to multiply by <c>gamma</c>.</param>
    /// <param name="beta_initializer">Initializer of beta (default zeros).</param>
    /// <param name="gamma_initializer">Initializer of gamma (default ones).</param>
    /// <param name="moving_mean_initializer">Initializer of the moving mean (default zeros).</param>
    /// <param name="moving_variance_initializer">Initializer of the moving variance (default ones).</param>
    /// <param name="beta_regularizer">Kept for the config; not applied.</param>
    /// <param name="gamma_regularizer">Kept for the config; not applied.</param>
    /// <param name="beta_constraint">Kept for the config; not applied.</param>
    /// <param name="gamma_constraint">Kept for the config; not applied.</param>
    /// <param name="renorm">Batch renormalization; not supported (must be false).</param>
    /// <param name="virtual_batch_size">Ghost batch normalization; not supported (must be null).</param>
    /// <param name="fused">null or true: libtorch's kernel where Keras would use its fused one; false: tensor math.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="trainable">Whether gamma and beta train and, in training, batch statistics are used.</param>
    /// <param name="dtype">Keras dtype name.</param>
    public BatchNormalization(object? axis = null, double momentum = 0.99, double epsilon = 1e-3, bool center = true,
        bool scale = true, object? beta_initializer = null, object? gamma_initializer = null,
        object? moving_mean_initializer = null, object? moving_variance_initializer = null,
        JsonNode? beta_regularizer = null, JsonNode? gamma_regularizer = null, JsonNode? beta_constraint = null,
        JsonNode? gamma_constraint = null, bool renorm = false, int? virtual_batch_size = null, bool? fused = null,
        string? name = null, bool trainable = true, string dtype = "float32")
        : base(name, trainable, dtype)
    {
        if (renorm) throw new ArgumentException("BatchNormalization with renorm=True is not supported.");
        if (virtual_batch_size is not null) throw new ArgumentException("BatchNormalization with virtual_batch_size is not supported.");
        (requestedAxes, axisIsInt) = ParseAxis(axis ?? -1);
        this.momentum = momentum;
        this.epsilon = epsilon;
        this.center = center;
        this.scale = scale;
        this.fused = fused;
        this.beta_initializer = Initializer.Get(beta_initializer ?? "zeros");
        this.gamma_initializer = Initializer.Get(gamma_initializer ?? "ones");
        this.moving_mean_initializer = Initializer.Get(moving_mean_initializer ?? "zeros");
        this.moving_variance_initializer = Initializer.Get(moving_variance_initializer ?? "ones");
        regularizers = new() { ["beta_regularizer"] = beta_regularizer, ["gamma_regularizer"] = gamma_regularizer,
            ["beta_constraint"] = beta_constraint, ["gamma_constraint"] = gamma_constraint };
    }

    /// <summary>
    /// The normalised axes: as given until the layer is built, then absolute (non-negative) as Keras stores them.
    /// </summary>
    public IReadOnlyList<int> axis => builtAxes ?? requestedAxes;
    /// <summary>Weight of the old moving statistics in each update (Keras convention).</summary>
    public double momentum { get; }
    /// <summary>Added to the variance before the square root.</summary>
    public double epsilon { get; }
    /// <summary>Whether beta is added.</summary>
    public bool center { get; }
    /// <summary>Whether gamma multiplies.</summary>
    public bool scale { get; }
    /// <summary>null (Keras' default choice), true or false; see the class remarks.</summary>
    public bool? fused { get; }
    /// <summary>Initializer of beta.</summary>
    public Initializer beta_initializer { get; }
    /// <summary>Initializer of gamma.</summary>
    public Initializer gamma_initializer { get; }
    /// <summary>Initializer of the moving mean.</summary>
    public Initializer moving_mean_initializer { get; }
    /// <summary>Initializer of the moving variance.</summary>
    public Initializer moving_variance_initializer { get; }

    /// <summary>Scale, or null when <see cref="scale"/> is false.</summary>
    public KerasVariable? gamma { get; private set; }
    /// <summary>Offset, or null when <see cref="center"/> is false.</summary>
    public KerasVariable? beta { get; private set; }
    /// <summary>Moving mean (non-trainable).</summary>
    public KerasVariable moving_mean { get; private set; } = null!;
    /// <summary>Moving variance (non-trainable).</summary>
    public KerasVariable moving_variance { get; private set; } = null!;

    static (int[] axes, bool isInt) ParseAxis(object axis) => axis switch
    {
        int i => (new[] { i }, true),
        long l => (new[] { (int)l }, true),
        double d when d == Math.Floor(d) => (new[] { (int)d }, true),
        JsonValue v => (new[] { v.TryGetValue<int>(out var vi) ? vi : (int)v.GetValue<double>() }, true),
        JsonArray a => (a.Select(n => n!.AsValue().TryGetValue<int>(out var ni) ? ni : (int)n.GetValue<double>()).ToArray(), false),
        IEnumerable<int> list => (list.ToArray(), false),
        IEnumerable<long> list => (list.Select(l => (int)l).ToArray(), false),
        _ => throw new ArgumentException($"Expected an int or a list of ints for the argument 'axis', but received: {axis}"),
    };

    /// <inheritdoc/>
    public override void build(Shapes input_shape)
    {
        Shape shape = input_shape;
        var rank = shape.rank;
        var axes = requestedAxes.Select(a => a < 0 ? rank + a : a).ToArray();
        if (axes.Any(a => a < 0 || a >= rank) || axes.Distinct().Count() != axes.Length)
            throw new ArgumentException($"Invalid axis {Describe(requestedAxes)} for input of rank {rank} (shape {shape}).");
        var sizes = new Dictionary<int, long>();
        foreach (var a in axes)
            sizes[a] = shape[a] ?? throw new ArgumentException(
                $"Input has undefined `axis` dimension. Received input with shape {shape} and axis={Describe(requestedAxes)}.");
        // One axis: (C,) weights. Several: weights broadcast against the input, 1 on the other axes (as Keras).
        var paramShape = axes.Length == 1
            ? new Shape(new[] { sizes[axes[0]] })
            : new Shape(Enumerable.Range(0, rank).Select(i => sizes.TryGetValue(i, out var d) ? d : 1L));
        if (scale) gamma = add_weight("gamma", paramShape, gamma_initializer);
        if (center) beta = add_weight("beta", paramShape, beta_initializer);
        moving_mean = add_weight("moving_mean", paramShape, moving_mean_initializer, trainable: false);
        moving_variance = add_weight("moving_variance", paramShape, moving_variance_initializer, trainable: false);
        input_spec = new InputSpec { ndim = rank, axes = sizes };
        usesFusedKernel = fused != false && axes.Length == 1 && rank is 4 or 5 && (axes[0] == 1 || axes[0] == rank - 1);
        builtAxes = axes;
        base.build(input_shape);
    }

    /// <summary>
    /// Whether this call normalises with the batch's statistics and updates the moving ones. Keras 2: only in
    /// training, and never while the layer is frozen (<c>trainable = false</c> runs in inference mode).
    /// </summary>
    protected virtual bool UseBatchStatistics(bool training) => training && trainable;

    internal override bool ReturnsOwnMemory => true;

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        Tensor x = inputs;
        var useBatch = UseBatchStatistics(training);
        return usesFusedKernel ? CallFused(x, useBatch) : CallGeneric(x, useBatch);
    }

    Tensor CallFused(Tensor x, bool useBatch)
    {
        var rank = (int)x.dim();
        if (!useBatch && builtAxes![0] == rank - 1) return CallAffine(x);
        if (builtAxes![0] == 1)
            return F.batch_norm(x, moving_mean.value, moving_variance.value, gamma?.value, beta?.value, useBatch, 1 - momentum, epsilon);
        // Channels last: libtorch wants the features on axis 1; the permuted view is channels-last memory, no copy.
        var toFirst = rank == 4 ? new long[] { 0, 3, 1, 2 } : new long[] { 0, 4, 1, 2, 3 };
        var toLast = rank == 4 ? new long[] { 0, 2, 3, 1 } : new long[] { 0, 2, 3, 4, 1 };
        using var channelsFirst = x.permute(toFirst);
        using var y = F.batch_norm(channelsFirst, moving_mean.value, moving_variance.value, gamma?.value, beta?.value,
            useBatch, 1 - momentum, epsilon);
        return y.permute(toLast);
    }

    /// <summary>
    /// Moving statistics on the last axis: one multiply-add per element with per-channel constants, as libtorch's
    /// inference kernel computes it (scale = gamma / sqrt(var + eps), shift = beta - mean·scale). Written out, autograd
    /// saves only the (C,) scale, not the input, when gamma is frozen: a frozen backbone's batch norms then cost
    /// no activation memory in training.
    /// </summary>
    Tensor CallAffine(Tensor x)
    {
        // The (C,) temporaries go with Layer.Apply's scope.
        var one = HeldScalar.One;
        var scaleValues = moving_variance.value.add(HeldScalar.Of(epsilon), one).sqrt().reciprocal();
        if (gamma is not null) scaleValues = scaleValues * gamma.value;
        var shift = -moving_mean.value * scaleValues;
        if (beta is not null) shift = shift.add(beta.value, one);
        // In place when the model says nothing else sees x: the same two roundings as addcmul.
        if (Overwritable.Contains(x)) return x.mul_(scaleValues).add_(shift, one);
        return addcmul(shift, x, scaleValues, one);
    }

    Tensor CallGeneric(Tensor x, bool useBatch)
    {
        using var scope = NewDisposeScope();
        var rank = (int)x.dim();
        var axes = builtAxes!;
        var broadcast = Enumerable.Range(0, rank).Select(i => axes.Contains(i) ? x.shape[i] : 1L).ToArray();
        Tensor Broadcast(Tensor w) => w.view(broadcast);
        Tensor mean, variance;
        if (useBatch)
        {
            var reduce = Enumerable.Range(0, rank).Where(i => !axes.Contains(i)).Select(i => (long)i).ToArray();
            (variance, mean) = x.var_mean(reduce, unbiased: false, keepdim: true);
            using (no_grad())
            {
                var paramShape = moving_mean.value.shape;
                var keep = HeldScalar.Of(momentum);
                var take = HeldScalar.Of(1 - momentum);
                moving_mean.value.mul_(keep).add_(mean.detach().reshape(paramShape), alpha: take);
                moving_variance.value.mul_(keep).add_(variance.detach().reshape(paramShape), alpha: take);
            }
        }
        else
        {
            mean = Broadcast(moving_mean.value);
            variance = Broadcast(moving_variance.value);
        }
        var y = (x - mean) * variance.add(HeldScalar.Of(epsilon), HeldScalar.One).rsqrt();
        if (gamma is not null) y = y * Broadcast(gamma.value);
        if (beta is not null) y = y.add(Broadcast(beta.value), HeldScalar.One);
        return y.MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape) => (Shape)input_shape;

    static string Describe(int[] axes) => axes.Length == 1 ? axes[0].ToString() : "[" + string.Join(", ", axes) + "]";

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        // tf.keras 2.x stores the axis as given until build, then as a list of absolute axes.
        config["axis"] = builtAxes is null && axisIsInt
            ? requestedAxes[0]
            : new JsonArray(axis.Select(a => (JsonNode)a).ToArray());
        config["momentum"] = momentum;
        config["epsilon"] = epsilon;
        config["center"] = center;
        config["scale"] = scale;
        config["beta_initializer"] = beta_initializer.serialize();
        config["gamma_initializer"] = gamma_initializer.serialize();
        config["moving_mean_initializer"] = moving_mean_initializer.serialize();
        config["moving_variance_initializer"] = moving_variance_initializer.serialize();
        foreach (var (key, value) in regularizers) config[key] = value?.DeepClone();
        return config;
    }
}
