using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Core.Layers;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace RetinaNet.Tests.Core.Saving;

// Classes a user would write and pass in custom_objects. They live in the test assembly, so the engine only finds
// them through custom_objects (built-ins are registered from RetinaNet.Core only).

/// <summary>A custom layer with its own config value and two weights: y = x * gamma * factor + beta.</summary>
public class ScaleOffset : Layer
{
    public ScaleOffset(double factor, string? name = null, bool trainable = true, string dtype = "float32")
        : base(name, trainable, dtype) => this.factor = factor;

    public double factor { get; }
    KerasVariable gamma = null!, beta = null!;

    public override void build(Shapes input_shape)
    {
        var channels = ((Shape)input_shape)[-1]!.Value;
        gamma = add_weight("gamma", new Shape(new[] { channels }), "random_normal");
        beta = add_weight("beta", new Shape(new[] { channels }), "random_normal");
        base.build(input_shape);
    }

    public override Tensors call(Tensors inputs, bool training = false) => ((Tensor)inputs) * gamma.value * factor + beta.value;

    public override Shapes compute_output_shape(Shapes input_shape) => input_shape;

    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["factor"] = factor;
        return config;
    }
}

/// <summary>A layer whose get_config fails, to make a save fail.</summary>
public class UnsavableLayer : Layer
{
    public UnsavableLayer(string? name = null) : base(name) { }
    public override Tensors call(Tensors inputs, bool training = false) => ((Tensor)inputs).alias();
    public override Shapes compute_output_shape(Shapes input_shape) => input_shape;
    public override JsonObject get_config() => throw new InvalidOperationException("this layer cannot be serialized");
}

/// <summary>A layer with many tiny weights, so that its weight_names attribute must be split into chunks.</summary>
public class ManyWeights : Layer
{
    public ManyWeights(int count, string? name = null, bool trainable = true, string dtype = "float32")
        : base(name, trainable, dtype) => this.count = count;

    public int count { get; }

    public override void build(Shapes input_shape)
    {
        // Grouped like a nested model's weights (block/weight), so no HDF5 group gets thousands of members.
        for (int i = 0; i < count; i++) add_weight($"block{i / 50}/w{i}", new Shape(new long[] { 1 }), "random_normal");
        base.build(input_shape);
    }

    public override Tensors call(Tensors inputs, bool training = false) => ((Tensor)inputs).alias();
    public override Shapes compute_output_shape(Shapes input_shape) => input_shape;

    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["count"] = count;
        return config;
    }
}

/// <summary>
/// Keras' dot-product <c>Attention</c> (use_scale=False, causal=False, no weights), as a user would port it:
/// scores = query · keyᵀ, softmax over the last axis, times value. Inputs [query, value] or [query, value, key].
/// </summary>
public class DotProductAttention : Layer
{
    public DotProductAttention(bool use_scale = false, string score_mode = "dot", double dropout = 0, bool causal = false,
        string? name = null, bool trainable = true, string dtype = "float32")
        : base(name, trainable, dtype)
    {
        if (use_scale || causal || score_mode != "dot")
            throw new ArgumentException("This test Attention supports use_scale=false, causal=false, score_mode='dot' only.");
        this.dropout = dropout;
    }

    public double dropout { get; }

    public override Tensors call(Tensors inputs, bool training = false)
    {
        var query = inputs[0];
        var value = inputs[1];
        var key = inputs.Count > 2 ? inputs[2] : value;
        using var scores = query.matmul(key.transpose(-2, -1));
        using var weights = F.softmax(scores, -1);
        return weights.matmul(value);
    }

    public override Shapes compute_output_shape(Shapes input_shape) => input_shape[0];

    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["dropout"] = dropout;
        config["use_scale"] = false;
        config["score_mode"] = "dot";
        return config;
    }
}

/// <summary>
/// A minimal port of QKeras' <c>QConv2DBatchnorm</c> (conv with folded batch normalization) that accepts the config
/// keys of FashionMNIST.h5 and creates the layer's 7 weights with the shapes and save order of the file: trainable
/// kernel, bias, gamma, beta, then non-trainable iteration, moving_mean, moving_variance. Inference only,
/// without quantization.
/// </summary>
public class QConv2DBatchnorm : Layer
{
    public QConv2DBatchnorm(int filters, IntPair kernel_size, IntPair? strides = null, string padding = "valid",
        string? activation = null, bool use_bias = true, int axis = -1, double momentum = 0.99, double epsilon = 1e-3,
        JsonNode? kernel_quantizer = null, JsonNode? bias_quantizer = null, string? folding_mode = null,
        string? name = null, bool trainable = true, string dtype = "float32")
        : base(name, trainable, dtype)
    {
        this.filters = filters;
        this.kernel_size = kernel_size;
        this.strides = strides ?? 1;
        this.padding = padding;
        this.activation = activation ?? "linear";
        this.use_bias = use_bias;
        this.axis = axis;
        this.epsilon = epsilon;
    }

    public int filters { get; }
    public IntPair kernel_size { get; }
    public IntPair strides { get; }
    public string padding { get; }
    public string activation { get; }
    public bool use_bias { get; }
    public int axis { get; }
    public double epsilon { get; }

    KerasVariable kernel = null!, bias = null!, gamma = null!, beta = null!, moving_mean = null!, moving_variance = null!;

    public override void build(Shapes input_shape)
    {
        var channels = ((Shape)input_shape)[-1]!.Value;
        var perFilter = new Shape(new long[] { filters });
        kernel = add_weight("kernel", new Shape(new[] { kernel_size.first, kernel_size.second, channels, filters }), "he_normal");
        bias = add_weight("bias", perFilter, "zeros");
        gamma = add_weight("batch_normalization/gamma", perFilter, "ones");
        beta = add_weight("batch_normalization/beta", perFilter, "zeros");
        add_weight("iteration", new Shape(Array.Empty<long>()), "zeros", trainable: false);
        moving_mean = add_weight("batch_normalization/moving_mean", perFilter, "zeros", trainable: false);
        moving_variance = add_weight("batch_normalization/moving_variance", perFilter, "ones", trainable: false);
        base.build(input_shape);
    }

    public override Tensors call(Tensors inputs, bool training = false)
    {
        // Inference with the batch-norm statistics folded into the convolution.
        using var scope = NewDisposeScope();
        var scale = gamma.value / (moving_variance.value + epsilon).sqrt();
        var folded = kernel.value * scale; // Keras layout (kh, kw, in, out): scale broadcasts over out
        var shift = (bias.value - moving_mean.value) * scale + beta.value;
        var nchw = ((Tensor)inputs).permute(0, 3, 1, 2);
        var pad = padding == "same" ? kernel_size.first / 2 : 0;
        var y = F.conv2d(nchw, folded.permute(3, 2, 0, 1), shift, strides.ToLongs(), new long[] { pad, pad });
        if (activation == "relu") y = F.relu(y);
        return y.permute(0, 2, 3, 1).MoveToOuterDisposeScope();
    }

    public override Shapes compute_output_shape(Shapes input_shape)
    {
        Shape s = input_shape;
        long? Out(long? size, int k, int stride) => size is null ? null
            : padding == "same" ? (size + stride - 1) / stride : (size - k) / stride + 1;
        return new Shape(s[0], Out(s[1], kernel_size.first, strides.first), Out(s[2], kernel_size.second, strides.second), filters);
    }

    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["filters"] = filters;
        config["kernel_size"] = kernel_size.ToJson();
        config["strides"] = strides.ToJson();
        config["padding"] = padding;
        config["activation"] = activation;
        config["use_bias"] = use_bias;
        config["axis"] = axis;
        config["epsilon"] = epsilon;
        return config;
    }
}

/// <summary>A test optimizer with Adam's state layout (<c>name/iter:0</c>, then every m, then every v).</summary>
public class TinyAdam : Optimizer
{
    public TinyAdam(double learning_rate = 0.001, double beta_1 = 0.9, double beta_2 = 0.999, double epsilon = 1e-7, string name = "Adam")
        : base(name)
    {
        this.learning_rate = learning_rate;
        this.beta_1 = beta_1;
        this.beta_2 = beta_2;
        this.epsilon = epsilon;
    }

    public override double learning_rate { get; set; }
    public double beta_1 { get; }
    public double beta_2 { get; }
    public double epsilon { get; }

    List<KerasVariable> variables = new();
    readonly List<Tensor> m = new(), v = new();

    public override JsonObject get_config() => new()
    {
        ["name"] = name, ["learning_rate"] = learning_rate, ["beta_1"] = beta_1, ["beta_2"] = beta_2, ["epsilon"] = epsilon,
    };

    public override void build(IReadOnlyList<KerasVariable> variables)
    {
        if (this.variables.SequenceEqual(variables)) return;
        this.variables = variables.ToList();
        m.Clear();
        v.Clear();
        foreach (var variable in variables)
        {
            m.Add(zeros(variable.shape.ToLongArray()));
            v.Add(zeros(variable.shape.ToLongArray()));
        }
    }

    public override void apply_gradients()
    {
        iterations++;
        using var _ = no_grad();
        for (int i = 0; i < variables.Count; i++)
        {
            var grad = variables[i].value.grad;
            if (grad is null) continue;
            using var scope = NewDisposeScope();
            var g = variables[i].layout.ToKeras(grad);
            m[i].mul_(beta_1).add_(g * (1 - beta_1));
            v[i].mul_(beta_2).add_(g.square() * (1 - beta_2));
            var mHat = m[i] / (1 - Math.Pow(beta_1, iterations));
            var vHat = v[i] / (1 - Math.Pow(beta_2, iterations));
            var updated = variables[i].numpy() - learning_rate * mHat / (vHat.sqrt() + epsilon);
            variables[i].assign(updated);
        }
    }

    string Path(KerasVariable variable) => variable.name.EndsWith(":0") ? variable.name[..^2] : variable.name;

    public override IReadOnlyList<string> weight_names =>
        new[] { $"{name}/iter:0" }
            .Concat(variables.Select(x => $"{name}/{Path(x)}/m:0"))
            .Concat(variables.Select(x => $"{name}/{Path(x)}/v:0")).ToList();

    public override List<Tensor> get_weights() =>
        new[] { tensor(iterations) }.Concat(m.Select(t => t.clone())).Concat(v.Select(t => t.clone())).ToList();

    public override void set_weights(IReadOnlyList<Tensor> values)
    {
        if (values.Count != 1 + 2 * variables.Count)
            throw new ArgumentException($"{name} expects {1 + 2 * variables.Count} state weights, received {values.Count}.");
        for (int i = 0; i < variables.Count; i++)
            foreach (var (slot, value) in new[] { (m[i], values[1 + i]), (v[i], values[1 + variables.Count + i]) })
                if (!slot.shape.SequenceEqual(value.shape))
                    throw new ArgumentException($"Optimizer state for {variables[i].name} has shape {Shape.Of(value)}, expected {Shape.Of(slot)}.");
        iterations = values[0].to(ScalarType.Int64).item<long>();
        for (int i = 0; i < variables.Count; i++)
        {
            m[i].copy_(values[1 + i]);
            v[i].copy_(values[1 + variables.Count + i]);
        }
    }
}

/// <summary>A test loss: mean squared error.</summary>
public class TestMeanSquaredError : Loss
{
    public TestMeanSquaredError(string? name = null) : base(name ?? "mean_squared_error") { }
    public override Tensor call(Tensor y_true, Tensor y_pred) => (y_true - y_pred).square().mean();
}

/// <summary>A test loss: sparse categorical crossentropy on probabilities, -mean(log p[label]).</summary>
public class TestSparseCategoricalCrossentropy : Loss
{
    public TestSparseCategoricalCrossentropy(string? name = null) : base(name ?? "sparse_categorical_crossentropy") { }

    public override Tensor call(Tensor y_true, Tensor y_pred)
    {
        using var scope = NewDisposeScope();
        var picked = y_pred.gather(-1, y_true.to(ScalarType.Int64).unsqueeze(-1)).squeeze(-1);
        return (-picked.clamp_min(1e-7).log().mean()).MoveToOuterDisposeScope();
    }
}
