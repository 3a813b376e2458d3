using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// A Keras Functional model: a graph of layers from <see cref="inputs"/> to <see cref="outputs"/>. A model is a
/// layer too, so it can be called inside another model; every call shares the same weights.
/// </summary>
public partial class Model : Layer
{
    GraphMap graph;

    /// <summary>Builds a model from symbolic inputs and outputs (see <c>keras.Model</c>).</summary>
    public Model(KerasTensors inputs, KerasTensors outputs, string? name = null)
        : base(name ?? LayerNames.Unique("model"))
    {
        this.inputs = inputs;
        this.outputs = outputs;
        graph = new GraphMap(inputs, outputs);
        built = true;
        // Like Keras, the model's own construction is its first inbound node (index 0); calls of the model inside
        // other models come after it. The node's outputs stay the tensors of the layers that produced them.
        inbound_nodes.Add(new Node(this, inputs) { outputs = outputs });
    }

    /// <summary>The symbolic inputs.</summary>
    public KerasTensors inputs { get; private set; }

    /// <summary>The symbolic outputs.</summary>
    public KerasTensors outputs { get; private set; }

    /// <summary>The layers, in Keras order (inputs first, then by decreasing depth).</summary>
    public IReadOnlyList<Layer> layers => graph.Layers;

    /// <summary>Names of the input layers.</summary>
    public IReadOnlyList<string> input_names => inputs.Select(t => t.layer.name).ToList();

    /// <summary>Names of the layers producing the outputs (the keys of per-output losses).</summary>
    public IReadOnlyList<string> output_names => outputs.Select(t => t.layer.name).ToList();

    /// <summary>Finds a layer by name.</summary>
    public Layer get_layer(string name) =>
        layers.FirstOrDefault(l => l.name == name)
        ?? throw new ArgumentException($"No such layer: {name}. Existing layers are: [{string.Join(", ", layers.Select(l => l.name))}].");

    /// <summary>Finds a layer by position in <see cref="layers"/>.</summary>
    public Layer get_layer(int index) =>
        index >= 0 && index < layers.Count
            ? layers[index]
            : throw new ArgumentException($"Was asked to retrieve layer at index {index} but model only has {layers.Count} layers.");

    /// <inheritdoc/>
    public override bool trainable
    {
        get => base.trainable;
        set
        {
            base.trainable = value;
            if (graph is null) return;
            foreach (var layer in layers) layer.trainable = value;
        }
    }

    /// <inheritdoc/>
    public override DTypePolicy dtype_policy
    {
        get => base.dtype_policy;
        set
        {
            base.dtype_policy = value;
            if (graph is null) return;
            foreach (var layer in layers) layer.dtype_policy = value;
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyList<KerasVariable> trainable_weights =>
        trainable ? Distinct(layers.SelectMany(l => l.trainable_weights)) : Array.Empty<KerasVariable>();

    /// <inheritdoc/>
    public override IReadOnlyList<KerasVariable> non_trainable_weights =>
        trainable
            ? Distinct(layers.SelectMany(l => l.non_trainable_weights))
            : Distinct(layers.SelectMany(l => l.trainable_weights.Concat(l.non_trainable_weights)));

    static List<KerasVariable> Distinct(IEnumerable<KerasVariable> weights)
    {
        var seen = new HashSet<KerasVariable>(ReferenceEqualityComparer.Instance);
        return weights.Where(seen.Add).ToList();
    }

    /// <inheritdoc/>
    public override void to(Device device)
    {
        foreach (var layer in layers) layer.to(device);
    }

    /// <summary>Runs the graph on real tensors.</summary>
    /// <remarks>
    /// Each intermediate tensor is disposed right after the last layer that reads it, as Python's reference counting
    /// would free it: an inference pass then holds a few activations at a time instead of all of them. Only the
    /// handle goes; autograd keeps what backward needs. Inputs, outputs and weights are never disposed, and a
    /// tensor object that several graph tensors share (a layer returning its input) lives until its last reader.
    /// </remarks>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        if (inputs.Count != this.inputs.Count)
            throw new LayerInputException(
                $"Model '{name}' expects {this.inputs.Count} input(s) ({string.Join(", ", input_names)}), but it was called on {inputs.Count}.");
        var values = new Dictionary<KerasTensor, Tensor>(ReferenceEqualityComparer.Instance);
        var live = new IntermediateTensors(inputs);
        for (int i = 0; i < inputs.Count; i++) values[this.inputs[i]] = inputs[i];
        var outputSet = new HashSet<KerasTensor>(outputs, ReferenceEqualityComparer.Instance);
        foreach (var node in graph.ExecutionOrder)
        {
            if (node.is_input) continue;
            var args = node.input_tensors.IsList
                ? new Tensors(node.input_tensors.Select(t => values[t]))
                : (Tensors)values[node.input_tensors[0]];
            Tensors results;
            using (Overwritable.Enter(is_grad_enabled() ? null : live.LastUses(node, values, graph.NeverViewed)))
                results = node.layer.Apply(args, training);
            if (results.Count != node.outputs.Count)
                throw new InvalidOperationException(
                    $"Layer '{node.layer.name}' returned {results.Count} tensor(s) but its compute_output_shape declared {node.outputs.Count}.");
            for (int i = 0; i < results.Count; i++)
            {
                values[node.outputs[i]] = results[i];
                if (outputSet.Contains(node.outputs[i])) live.Keep(results[i]);
                else live.Produced(results[i], graph.Reads.GetValueOrDefault(node.outputs[i]));
            }
            foreach (var t in node.input_tensors) live.Read(values[t]);
        }
        return outputs.IsList ? new Tensors(outputs.Select(t => values[t])) : (Tensors)values[outputs[0]];
    }

    /// <summary>Propagates shapes through the graph (used when this model is called inside another one).</summary>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        if (input_shape.Count != inputs.Count)
            throw new LayerInputException(
                $"Model '{name}' expects {inputs.Count} input(s) ({string.Join(", ", input_names)}), but it was called on {input_shape.Count}.");
        var shapes = new Dictionary<KerasTensor, Shape>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < inputs.Count; i++) shapes[inputs[i]] = input_shape[i];
        foreach (var node in graph.ExecutionOrder)
        {
            if (node.is_input) continue;
            var args = node.input_tensors.IsList
                ? new Shapes(node.input_tensors.Select(t => shapes[t]))
                : (Shapes)shapes[node.input_tensors[0]];
            Shapes result;
            using (LayerCallContext.Enter(node.layer)) result = node.layer.compute_output_shape(args);
            for (int i = 0; i < result.Count; i++) shapes[node.outputs[i]] = result[i];
        }
        return outputs.IsList ? new Shapes(outputs.Select(t => shapes[t])) : (Shapes)shapes[outputs[0]];
    }

    /// <summary>Prints a Keras-style table of layers, output shapes, parameter counts and connections.</summary>
    public void summary(Action<string>? print_fn = null) => ModelSummary.Print(this, print_fn ?? Console.WriteLine);

    /// <summary>The summary as text.</summary>
    public string summary_text()
    {
        var sb = new System.Text.StringBuilder();
        ModelSummary.Print(this, line => sb.AppendLine(line));
        return sb.ToString();
    }

    /// <summary>The nodes of this model, in execution order (for serialization and tools).</summary>
    public IReadOnlyList<Node> nodes => graph.ExecutionOrder;
}
