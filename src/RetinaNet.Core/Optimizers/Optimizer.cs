using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// Base of Keras optimizers (Adam, SGD). An optimizer is built for a list of variables, then <c>apply_gradients</c>
/// updates them from their <c>.grad</c>. Its state (iteration count and slots such as Adam's m and v) is exposed
/// under Keras' names and in Keras layout so <c>.h5</c> files carry it (<c>optimizer_weights</c>).
/// </summary>
public abstract class Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    protected Optimizer(string name) => this.name = name;

    /// <summary>Keras name, e.g. <c>Adam</c>; prefixes the state's names (<c>Adam/iter:0</c>).</summary>
    public string name { get; protected set; }

    /// <summary>Hyper-parameters for saving (Keras 2 keys, e.g. <c>learning_rate</c>, <c>beta_1</c>).</summary>
    public abstract JsonObject get_config();

    /// <summary>Creates the per-variable state for these variables (idempotent for the same list).</summary>
    public abstract void build(IReadOnlyList<KerasVariable> variables);

    /// <summary>Updates every built variable that has a gradient; increments <c>iterations</c>.</summary>
    public abstract void apply_gradients();

    /// <summary>Steps taken so far (Keras <c>iterations</c>).</summary>
    public long iterations { get; set; }

    /// <summary>Current learning rate (callbacks such as ReduceLROnPlateau change it).</summary>
    public abstract double learning_rate { get; set; }

    /// <summary>Keras names of the state, in Keras order (<c>Adam/iter:0</c>, then slots).</summary>
    public abstract IReadOnlyList<string> weight_names { get; }

    /// <summary>The state in Keras layout, in <see cref="weight_names"/> order.</summary>
    public abstract List<Tensor> get_weights();

    /// <summary>Restores state saved by <see cref="get_weights"/>; the optimizer must be built first.</summary>
    public abstract void set_weights(IReadOnlyList<Tensor> values);
}
