using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>Fully connected layer on the last axis: <c>activation(x · kernel + bias)</c>, kernel (in, units).</summary>
public class Dense : KernelLayer
{
    /// <summary>Creates the layer (Keras arguments and defaults).</summary>
    public Dense(int units, string? activation = null, bool use_bias = true, object? kernel_initializer = null,
        object? bias_initializer = null, JsonNode? kernel_regularizer = null, JsonNode? bias_regularizer = null,
        JsonNode? activity_regularizer = null, JsonNode? kernel_constraint = null, JsonNode? bias_constraint = null,
        string? name = null, bool trainable = true, string dtype = "float32")
        : base(activation, use_bias, bias_initializer, new Dictionary<string, JsonNode?>
            {
                ["kernel_regularizer"] = kernel_regularizer, ["bias_regularizer"] = bias_regularizer,
                ["activity_regularizer"] = activity_regularizer, ["kernel_constraint"] = kernel_constraint,
                ["bias_constraint"] = bias_constraint,
            }, name, trainable, dtype)
    {
        if (units <= 0) throw new ArgumentException($"Received an invalid value for `units`, expected a positive integer. Received: units={units}");
        this.units = units;
        this.kernel_initializer = KernelInitializer(kernel_initializer);
    }

    /// <summary>Output size.</summary>
    public int units { get; }
    /// <summary>Kernel initializer.</summary>
    public Initializer kernel_initializer { get; }
    /// <summary>Kernel (in, units).</summary>
    public KerasVariable kernel { get; private set; } = null!;

    /// <inheritdoc/>
    public override void build(Shapes input_shape)
    {
        Shape shape = input_shape;
        var last = shape[-1] ?? throw new ArgumentException("The last dimension of the inputs to a Dense layer should be defined. Found None.");
        kernel = add_weight("kernel", new Shape(new long[] { last, units }), kernel_initializer);
        BuildBias(units);
        input_spec = new InputSpec { min_ndim = 2, axes = new Dictionary<int, long> { [-1] = last } };
        base.build(input_shape);
    }

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        Tensor x = inputs;
        var y = MatMul(x, kernel.value);
        if (bias is not null) y.add_(bias.value, HeldScalar.One);
        return Activate(y);
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
        WriteRegularizers(config);
        return config;
    }
}
