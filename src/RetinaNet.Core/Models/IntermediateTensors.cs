using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// Reference counts of the tensors a functional model produces while it runs, so that each is disposed after its
/// last reader. Counts are per tensor object, since a layer may return the very tensor it was given.
/// </summary>
internal sealed class IntermediateTensors
{
    readonly Dictionary<Tensor, int> readsLeft = new(ReferenceEqualityComparer.Instance);
    readonly HashSet<Tensor> kept = new(ReferenceEqualityComparer.Instance);

    /// <param name="inputs">The caller's tensors (never disposed).</param>
    public IntermediateTensors(IEnumerable<Tensor> inputs) => kept.UnionWith(inputs);

    /// <summary>Marks a tensor as one the caller receives (a model output).</summary>
    public void Keep(Tensor tensor) => kept.Add(tensor);

    /// <summary>Records a layer's output that <paramref name="reads"/> later nodes read.</summary>
    public void Produced(Tensor tensor, int reads)
    {
        // A layer may return one of its weights; those belong to the layer.
        if (kept.Contains(tensor) || tensor is TorchSharp.Modules.Parameter) return;
        readsLeft[tensor] = readsLeft.GetValueOrDefault(tensor) + reads;
        if (readsLeft[tensor] == 0) Release(tensor);
    }

    /// <summary>
    /// The inputs of <paramref name="node"/> that no later node reads and that have no views: the node's layer may
    /// overwrite them (null when there are none).
    /// </summary>
    public HashSet<Tensor>? LastUses(Node node, Dictionary<KerasTensor, Tensor> values, HashSet<KerasTensor> neverViewed)
    {
        HashSet<Tensor>? result = null;
        foreach (var t in node.input_tensors)
        {
            var tensor = values[t];
            if (!neverViewed.Contains(t) || kept.Contains(tensor)) continue;
            // Read once more, by this node, and only once by it (Add()([x, x]) must not write into x).
            if (readsLeft.GetValueOrDefault(tensor) != 1) continue;
            (result ??= new(ReferenceEqualityComparer.Instance)).Add(tensor);
        }
        return result;
    }

    /// <summary>Records one read of a tensor; the last read disposes it.</summary>
    public void Read(Tensor tensor)
    {
        if (kept.Contains(tensor) || !readsLeft.TryGetValue(tensor, out var left)) return;
        if (left <= 1) Release(tensor);
        else readsLeft[tensor] = left - 1;
    }

    void Release(Tensor tensor)
    {
        readsLeft.Remove(tensor);
        tensor.Dispose();
    }
}
