using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>Fully connected layer on the last axis: <c>activation(x · kernel + bias)</c>, kernel (in, units).</summary>
public class Dense : Layer
{
    /// <summary>Creates the layer (Keras arguments and defaults).</summary>
    public Dense(int units, string? activation = null, bool use_bias = true, object? kernel_initializer = null,
        object? bias_initializer = null, JsonNode? kernel_regularizer = null, JsonNode? bias_regularizer = null,
        JsonNode? activity_regularizer = null, JsonNode? kernel_constraint = null, JsonNode? bias_constraint = null,
        string? name = null, bool trainable = true, string dtype = "float32")
        : base(name, trainable, dtype)
    {
        if (units <= 0) throw new ArgumentException($"Received an invalid value for `units`, expected a positive integer. Received: units={units}");
        this.units = units;
        this.activation = activation ?? "linear";
        this.use_bias = use_bias;
        this.kernel_initializer = Initializer.Get(kernel_initializer ?? "glorot_uniform");
        this.bias_initializer = Initializer.Get(bias_initializer ?? "zeros");
        regularizers = new() { ["kernel_regularizer"] = kernel_regularizer, ["bias_regularizer"] = bias_regularizer,
            ["activity_regularizer"] = activity_regularizer, ["kernel_constraint"] = kernel_constraint, ["bias_constraint"] = bias_constraint };
        activationFn = Activations.Get(this.activation);
    }

    readonly Func<Tensor, Tensor> activationFn;
    readonly Dictionary<string, JsonNode?> regularizers;

    /// <summary>Output size.</summary>
    public int units { get; }
    /// <summary>Activation name.</summary>
    public string activation { get; }
    /// <summary>Whether a bias is added.</summary>
    public bool use_bias { get; }
    /// <summary>Kernel initializer.</summary>
    public Initializer kernel_initializer { get; }
    /// <summary>Bias initializer.</summary>
    public Initializer bias_initializer { get; }
    /// <summary>Kernel (in, units).</summary>
    public KerasVariable kernel { get; private set; } = null!;
    /// <summary>Bias (units,), or null.</summary>
    public KerasVariable? bias { get; private set; }

    /// <inheritdoc/>
    public override void build(Shapes input_shape)
    {
        Shape shape = input_shape;
        var last = shape[-1] ?? throw new ArgumentException("The last dimension of the inputs to a Dense layer should be defined. Found None.");
        kernel = add_weight("kernel", new Shape(new long[] { last, units }), kernel_initializer);
        if (use_bias) bias = add_weight("bias", new Shape(new long[] { units }), bias_initializer);
        input_spec = new InputSpec { min_ndim = 2, axes = new Dictionary<int, long> { [-1] = last } };
        base.build(input_shape);
    }

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        Tensor x = inputs;
        var y = x.matmul(kernel.value);
        if (bias is not null) y.add_(bias.value);
        if (activation == "linear") return y;
        var activated = activationFn(y);
        y.Dispose();
        return activated;
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape) => ((Shape)input_shape).With(-1, units);

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["units"] = units;
        config["activation"] = activation;
        config["use_bias"] = use_bias;
        config["kernel_initializer"] = kernel_initializer.serialize();
        config["bias_initializer"] = bias_initializer.serialize();
        foreach (var (key, value) in regularizers) config[key] = value?.DeepClone();
        return config;
    }
}
