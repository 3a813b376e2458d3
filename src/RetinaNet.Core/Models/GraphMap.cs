namespace RetinaNet.Core;

/// <summary>
/// Orders a functional graph the way Keras' <c>_map_graph_network</c> does: nodes get a depth (outputs 0,
/// growing towards the inputs); layers are listed by decreasing depth and, within a depth, in the order a
/// depth-first walk from the outputs first met them. That order is what <c>model.layers</c> returns and what
/// positional <c>.h5</c> weight loading pairs up, so it must match Keras exactly.
/// </summary>
internal sealed class GraphMap
{
    public List<Layer> Layers { get; } = new();
    /// <summary>Nodes in an order where every node comes after the nodes it reads from.</summary>
    public List<Node> ExecutionOrder { get; } = new();
    /// <summary>How many times each tensor is read by the nodes of <see cref="ExecutionOrder"/>.</summary>
    public Dictionary<KerasTensor, int> Reads { get; } = new(ReferenceEqualityComparer.Instance);
    /// <summary>Tensors whose producer and readers all return memory of their own, so no view of them ever exists.</summary>
    public HashSet<KerasTensor> NeverViewed { get; } = new(ReferenceEqualityComparer.Instance);

    public GraphMap(KerasTensors inputs, KerasTensors outputs)
    {
        var finished = new HashSet<Node>();
        var inProgress = new HashSet<Node>();
        var layerIndices = new Dictionary<Layer, int>();
        var nodesInDecreasingDepth = new List<Node>();

        void Visit(KerasTensor tensor)
        {
            var node = tensor.node;
            if (finished.Contains(node)) return;
            if (!inProgress.Add(node))
                throw new InvalidOperationException($"The tensor {tensor} at layer '{node.layer.name}' is part of a cycle.");
            layerIndices.TryAdd(node.layer, layerIndices.Count);
            if (!node.is_input)
                foreach (var t in node.input_tensors) Visit(t);
            finished.Add(node);
            inProgress.Remove(node);
            nodesInDecreasingDepth.Add(node);
        }
        foreach (var output in outputs) Visit(output);

        var nodeDepths = new Dictionary<Node, int>();
        var layerDepths = new Dictionary<Layer, int>();
        for (int i = nodesInDecreasingDepth.Count - 1; i >= 0; i--)
        {
            var node = nodesInDecreasingDepth[i];
            var depth = nodeDepths.GetValueOrDefault(node, 0);
            depth = Math.Max(depth, layerDepths.GetValueOrDefault(node.layer, 0));
            layerDepths[node.layer] = depth;
            nodeDepths[node] = depth;
            if (node.is_input) continue;
            foreach (var parent in node.parent_nodes)
                nodeDepths[parent] = Math.Max(depth + 1, nodeDepths.GetValueOrDefault(parent, 0));
        }

        // Inputs that no output depends on still belong to the model.
        foreach (var input in inputs)
        {
            if (!input.node.is_input)
                throw new ArgumentException($"Model inputs must come from keras.Input(); {input} was produced by layer '{input.layer.name}'.");
            if (!layerDepths.ContainsKey(input.layer))
            {
                layerDepths[input.layer] = 0;
                layerIndices[input.layer] = -1;
                nodeDepths[input.node] = 0;
            }
        }
        foreach (var node in nodeDepths.Keys)
            if (node.is_input && !inputs.Any(t => t.node == node))
                throw new ArgumentException(
                    $"Graph disconnected: cannot obtain the value of tensor {node.outputs[0]} from the model inputs " +
                    $"[{string.Join(", ", inputs.Select(t => t.layer.name))}]. Add it to the model's inputs.");

        foreach (var depth in layerDepths.Values.Distinct().OrderByDescending(d => d))
            Layers.AddRange(layerDepths.Where(p => p.Value == depth).Select(p => p.Key).OrderBy(l => layerIndices[l]));
        foreach (var depth in nodeDepths.Values.Distinct().OrderByDescending(d => d))
            ExecutionOrder.AddRange(nodeDepths.Where(p => p.Value == depth).Select(p => p.Key)
                .OrderBy(n => layerIndices[n.layer]));

        var viewable = new HashSet<KerasTensor>(ReferenceEqualityComparer.Instance);
        foreach (var node in ExecutionOrder.Where(n => !n.is_input))
        {
            foreach (var t in node.input_tensors) Reads[t] = Reads.GetValueOrDefault(t) + 1;
            if (node.layer.ReturnsOwnMemory) NeverViewed.UnionWith(node.outputs);
            else viewable.UnionWith(node.input_tensors);
        }
        NeverViewed.ExceptWith(viewable);

        var names = new HashSet<string>();
        foreach (var layer in Layers)
            if (!names.Add(layer.name))
                throw new ArgumentException(
                    $"The name \"{layer.name}\" is used {Layers.Count(l => l.name == layer.name)} times in the model. All layer names should be unique.");
    }
}
