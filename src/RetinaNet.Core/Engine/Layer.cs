using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// The Keras layer: configuration in the constructor, weights in <see cref="build"/>, computation in
/// <see cref="call"/>, static shapes in <see cref="compute_output_shape"/>, and <see cref="get_config"/> returning
/// exactly what the constructor takes. Custom layers subclass this and override those four.
/// </summary>
/// <remarks>
/// <see cref="Apply(KerasTensors)"/> on symbolic tensors adds a node to a functional graph;
/// <see cref="Apply(Tensors, bool)"/> on real tensors computes eagerly. Both build the layer on first use.
/// Tensors are channels-last (NHWC) at this API.
/// </remarks>
public abstract class Layer
{
    readonly List<KerasVariable> _trainable_weights = new();
    readonly List<KerasVariable> _non_trainable_weights = new();
    bool _trainable;

    /// <summary>Base constructor; <paramref name="name"/> defaults to a unique snake_case name of the class.</summary>
    protected Layer(string? name = null, bool trainable = true, string dtype = "float32")
    {
        this.name = name ?? LayerNames.Unique(LayerNames.ToSnakeCase(GetType().Name));
        _trainable = trainable;
        this.dtype = dtype;
    }

    /// <summary>
    /// The class name written to configs and looked up in <c>custom_objects</c>; defaults to the C# class name.
    /// A layer that stands in for a Python class of another name (keras-resnet's BatchNormalization) overrides it.
    /// </summary>
    public virtual string class_name => GetType().Name;

    /// <summary>The layer's name, unique within a model.</summary>
    public string name { get; set; }

    /// <summary>Element type of the weights and outputs (Keras dtype name).</summary>
    public string dtype { get; set; }

    /// <summary>
    /// What the layer computes in (Keras 3's <c>dtype_policy</c>; see <see cref="DTypePolicy"/>): fp32 by default,
    /// <see cref="DTypePolicy.MixedBFloat16"/> for bfloat16 products in the kernel layers. Setting it on a model sets
    /// it on every layer. Not part of the config: saved files stay fp32.
    /// </summary>
    public virtual DTypePolicy dtype_policy { get; set; } = DTypePolicy.Float32;

    /// <summary>Keras name of the type the layer computes in (<see cref="DTypePolicy.compute_dtype"/>).</summary>
    public string compute_dtype => dtype_policy.compute_dtype;

    /// <summary>Whether the weights are updated by training. Setting it on a model sets it on every layer.</summary>
    public virtual bool trainable
    {
        get => _trainable;
        set
        {
            _trainable = value;
            foreach (var w in _trainable_weights.Concat(_non_trainable_weights)) w.UpdateRequiresGrad(value);
        }
    }

    /// <summary>True once <see cref="build"/> has run.</summary>
    public bool built { get; protected set; }

    /// <summary>What later inputs must look like; set by <see cref="build"/> where it matters.</summary>
    public InputSpec? input_spec { get; protected set; }

    /// <summary>The calls of this layer in functional graphs.</summary>
    public List<Node> inbound_nodes { get; } = new();

    /// <summary>Trainable weights (empty when the layer is frozen), in creation order.</summary>
    public virtual IReadOnlyList<KerasVariable> trainable_weights =>
        trainable ? _trainable_weights : Array.Empty<KerasVariable>();

    /// <summary>Non-trainable weights; a frozen layer lists all its weights here.</summary>
    public virtual IReadOnlyList<KerasVariable> non_trainable_weights =>
        trainable ? _non_trainable_weights : _trainable_weights.Concat(_non_trainable_weights).ToList();

    /// <summary>All weights, trainable first (the order Keras saves in <c>.h5</c> files).</summary>
    public IReadOnlyList<KerasVariable> weights => trainable_weights.Concat(non_trainable_weights).ToList();

    /// <summary>Creates a weight (call from <see cref="build"/>). The shape and initializer use Keras layout.</summary>
    /// <param name="name">Short name, e.g. <c>kernel</c>; saved as <c>layer_name/kernel:0</c>.</param>
    /// <param name="shape">Shape in Keras layout.</param>
    /// <param name="initializer">An <see cref="Initializer"/>, an initializer name such as <c>"zeros"</c>, or null for glorot_uniform.</param>
    /// <param name="trainable">Whether training updates it.</param>
    /// <param name="layout">How the native tensor is stored (default: as in Keras).</param>
    public KerasVariable add_weight(string name, Shape shape, object? initializer = null, bool trainable = true,
        VariableLayout? layout = null)
    {
        layout ??= VariableLayout.Identity;
        var init = Initializer.Get(initializer ?? "glorot_uniform");
        Tensor native;
        using (NewDisposeScope())
        using (no_grad())
        {
            // While a file is loaded every weight is overwritten right after, so the initializer is not run.
            var keras = WeightInitialization.Skipped
                ? empty(shape.ToLongArray(), ScalarType.Float32)
                : init.call(shape.ToLongArray(), ScalarType.Float32);
            native = layout.FromKeras(keras).detach().DetachFromDisposeScope();
        }
        var variable = new KerasVariable($"{this.name}/{name}:0", shape, native, trainable, layout);
        variable.UpdateRequiresGrad(this.trainable);
        (trainable ? _trainable_weights : _non_trainable_weights).Add(variable);
        return variable;
    }

    /// <summary>
    /// Whether every call returns tensors with memory of their own (never a view of an input or a weight). Only
    /// then may a model let the layer's inputs be overwritten by the layers after it (see <see cref="Overwritable"/>).
    /// </summary>
    internal virtual bool ReturnsOwnMemory => false;

    /// <summary>Creates the weights for inputs of the given shapes. The base marks the layer built.</summary>
    public virtual void build(Shapes input_shape) => built = true;

    /// <summary>The computation, on real channels-last tensors.</summary>
    public abstract Tensors call(Tensors inputs, bool training = false);

    /// <summary>Output shapes for the given input shapes; unknown axes are null and must stay supported.</summary>
    public virtual Shapes compute_output_shape(Shapes input_shape) =>
        throw new NotImplementedException(
            $"Layer '{name}' ({GetType().Name}) does not override compute_output_shape, so it cannot be used on symbolic inputs.");

    /// <summary>Everything needed to rebuild the layer: the base keys plus the constructor's arguments.</summary>
    public virtual JsonObject get_config() => new()
    {
        ["name"] = name,
        ["trainable"] = trainable,
        ["dtype"] = dtype,
    };

    /// <summary>Calls the layer on symbolic tensors: builds it if needed and records a graph node.</summary>
    public virtual KerasTensors Apply(KerasTensors inputs)
    {
        using var _ = LayerCallContext.Enter(this);
        var shapes = inputs.shapes;
        CheckInputSpec(shapes, i => inputs[i].layer.name);
        MaybeBuild(shapes, i => inputs[i].layer.name);
        Shapes outputShapes;
        try
        {
            outputShapes = compute_output_shape(shapes);
        }
        catch (Exception e) when (e is not LayerInputException and (ArgumentException or InvalidOperationException or IndexOutOfRangeException))
        {
            throw new LayerInputException(
                $"Layer '{name}' ({GetType().Name}) cannot be applied to {Describe(shapes, i => inputs[i].layer.name)}: {e.Message}", e);
        }
        var node = new Node(this, inputs);
        var outputs = outputShapes.Select((s, i) => new KerasTensor(s, node, i)).ToList();
        node.outputs = outputShapes.IsList ? new KerasTensors(outputs) : outputs[0];
        inbound_nodes.Add(node);
        return node.outputs;
    }

    /// <summary>Calls the layer on real tensors (eager); builds it on first use.</summary>
    public Tensors Apply(Tensors inputs, bool training = false)
    {
        using var _ = LayerCallContext.Enter(this);
        var shapes = inputs.shapes;
        CheckInputSpec(shapes, null);
        MaybeBuild(shapes, null);
        // Temporaries of the call (views' bases, intermediate results) go when it returns, not when the caller's
        // scope ends: an inference pass would otherwise keep every layer's buffers alive until its end.
        using var scope = NewDisposeScope();
        var outputs = call(inputs, training);
        foreach (var output in outputs)
            if (scope.Contains(output)) scope.MoveToOuter(output);
        return outputs;
    }

    /// <summary>Calls the layer on one real tensor and returns its single output.</summary>
    public Tensor Apply(Tensor input, bool training = false) => Apply((Tensors)input, training).Single();

    /// <summary>Number of weights (scalars) in the layer.</summary>
    public long count_params() => weights.Sum(w => w.shape.ToLongArray().Aggregate(1L, (a, b) => a * b));

    /// <summary>The weights as Keras-layout tensors (copies, on the CPU unless a device is given), in <see cref="weights"/> order.</summary>
    /// <remarks>The optional parameter also keeps this method apart from the getter of the <see cref="weights"/> property.</remarks>
    public List<Tensor> get_weights(Device? device = null) =>
        weights.Select(w => device is null ? w.numpy() : w.numpy().to(device)).ToList();

    /// <summary>Sets the weights from Keras-layout tensors, in <see cref="weights"/> order.</summary>
    public void set_weights(IReadOnlyList<Tensor> values)
    {
        var ws = weights;
        if (values.Count != ws.Count)
            throw new ArgumentException(
                $"Layer '{name}' ({GetType().Name}) has {ws.Count} weight(s) but set_weights received {values.Count}.");
        for (int i = 0; i < ws.Count; i++) ws[i].assign(values[i]);
    }

    /// <summary>The input shape of the first call (Keras' <c>layer.input_shape</c>).</summary>
    public Shapes input_shape => inbound_nodes.Count > 0
        ? inbound_nodes[0].input_tensors.shapes
        : throw new InvalidOperationException($"Layer '{name}' has never been called on symbolic inputs.");

    /// <summary>The output shape of the first call (Keras' <c>layer.output_shape</c>).</summary>
    public Shapes output_shape => inbound_nodes.Count > 0
        ? inbound_nodes[0].outputs.shapes
        : throw new InvalidOperationException($"Layer '{name}' has never been called on symbolic inputs.");

    /// <summary>The output of the layer's only call (Keras' <c>layer.output</c>); for a model, its outputs.</summary>
    public KerasTensors output => inbound_nodes.Count == 1
        ? inbound_nodes[0].outputs
        : throw new InvalidOperationException(inbound_nodes.Count == 0
            ? $"Layer '{name}' is not connected, no output to return."
            : $"Layer '{name}' has multiple inbound nodes, hence the notion of \"layer output\" is ill-defined. Use get_output_at(node_index) instead.");

    /// <summary>The output of the layer's call number <paramref name="node_index"/>.</summary>
    public KerasTensors get_output_at(int node_index) => inbound_nodes[node_index].outputs;

    /// <summary>Moves the weights to a device.</summary>
    public virtual void to(Device device)
    {
        foreach (var w in _trainable_weights.Concat(_non_trainable_weights)) w.to(device);
    }

    /// <summary>The device of the layer's first weight (CPU if it has none).</summary>
    public Device device => weights.Count > 0 ? weights[0].value.device : CPU;

    /// <inheritdoc/>
    public override string ToString() => $"<{GetType().Name} name={name}, built={built}>";

    void MaybeBuild(Shapes shapes, Func<int, string>? source)
    {
        if (built) return;
        try
        {
            build(shapes);
        }
        catch (Exception e) when (e is not LayerInputException and (ArgumentException or InvalidOperationException or IndexOutOfRangeException))
        {
            throw new LayerInputException(
                $"Layer '{name}' ({GetType().Name}) could not be built for {Describe(shapes, source)}: {e.Message}", e);
        }
        built = true;
    }

    void CheckInputSpec(Shapes shapes, Func<int, string>? source)
    {
        if (input_spec is null) return;
        for (int i = 0; i < shapes.Count; i++)
        {
            var problem = input_spec.Check(shapes[i]);
            if (problem is null) continue;
            var from = source is null ? "" : $" from layer '{source(i)}'";
            throw new LayerInputException(
                $"Input {i} of layer '{name}' ({GetType().Name}) is incompatible with the layer: {problem}, " +
                $"but received input with shape {shapes[i]}{from}.");
        }
    }

    /// <summary>Text naming each input's shape and, in a graph, the layer it came from.</summary>
    protected static string Describe(Shapes shapes, Func<int, string>? source)
    {
        string one(int i) => source is null ? shapes[i].ToString() : $"{shapes[i]} from layer '{source(i)}'";
        return shapes.Count == 1 && !shapes.IsList
            ? "input shape " + one(0)
            : "input shapes [" + string.Join(", ", Enumerable.Range(0, shapes.Count).Select(one)) + "]";
    }
}
