using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// Shared machinery of the Keras 2 optimizers (tf.keras <c>optimizer_v2</c>): per-variable slots created in
/// <see cref="build"/>, gradient clipping, time decay of the learning rate, and the state saved in Keras' names,
/// order and layout. Subclasses name their slots and implement one variable's update.
/// </summary>
/// <remarks>
/// Slots are kept in the variable's native layout (the updates are element-wise) on the variable's device, and
/// converted to Keras layout only by <see cref="get_weights"/>/<see cref="set_weights"/>. State order follows
/// tf.keras: <c>iter</c>, then the slots in creation order — for one build, every variable's first slot
/// (e.g. all <c>m</c>), then every variable's second slot (all <c>v</c>).
/// </remarks>
public abstract class OptimizerV2 : Optimizer
{
    readonly Dictionary<KerasVariable, Dictionary<string, Tensor>> slots = new(ReferenceEqualityComparer.Instance);
    readonly List<(KerasVariable variable, string slot)> slotOrder = new();
    readonly List<KerasVariable> variables = new();

    /// <summary>Stores the hyper-parameters shared by every Keras 2 optimizer.</summary>
    protected OptimizerV2(string name, double learning_rate, double decay, double? clipnorm, double? clipvalue,
        double? global_clipnorm) : base(name)
    {
        if (clipnorm < 0) throw new ArgumentException($"Expected clipnorm >= 0, received: {clipnorm}");
        if (clipvalue < 0) throw new ArgumentException($"Expected clipvalue >= 0, received: {clipvalue}");
        if (global_clipnorm < 0) throw new ArgumentException($"Expected global_clipnorm >= 0, received: {global_clipnorm}");
        if (clipnorm is not null && global_clipnorm is not null)
            throw new ArgumentException(
                $"Cannot accept both `clipnorm` and `global_clipnorm`. Received: `clipnorm`={clipnorm}, `global_clipnorm`={global_clipnorm}.");
        if (decay < 0) throw new ArgumentException($"decay cannot be less than 0. Received: decay={decay}.");
        this.learning_rate = learning_rate;
        this.decay = decay;
        this.clipnorm = clipnorm;
        this.clipvalue = clipvalue;
        this.global_clipnorm = global_clipnorm;
    }

    /// <inheritdoc/>
    public override double learning_rate { get; set; }

    /// <summary>Keras 2 time decay: the step uses <c>learning_rate / (1 + decay · iterations)</c>.</summary>
    public double decay { get; }

    /// <summary>Clips each variable's gradient to this L2 norm (tf.keras <c>clip_by_norm</c>, per variable).</summary>
    public double? clipnorm { get; }

    /// <summary>Clips each gradient element to [-clipvalue, clipvalue].</summary>
    public double? clipvalue { get; }

    /// <summary>Scales all gradients together so their joint L2 norm is at most this.</summary>
    public double? global_clipnorm { get; }

    /// <summary>The slots each variable gets, in Keras' creation order (e.g. <c>m</c>, <c>v</c>).</summary>
    protected abstract IReadOnlyList<string> slot_names { get; }

    /// <summary>
    /// Updates one variable in place (called under <c>no_grad</c> inside a dispose scope).
    /// </summary>
    /// <param name="variable">The native parameter.</param>
    /// <param name="gradient">Its gradient, already clipped.</param>
    /// <param name="slots">Its slots by name (native layout, same device), updated in place.</param>
    /// <param name="lr">The learning rate for this step, after decay.</param>
    /// <param name="step">1 for the first update (Keras' <c>iterations + 1</c>).</param>
    protected abstract void update_step(Tensor variable, Tensor gradient, IReadOnlyDictionary<string, Tensor> slots,
        double lr, long step);

    /// <summary>The value a slot starts at (Keras' slot initializer; zeros unless overridden, e.g. Adagrad).</summary>
    protected virtual double initial_slot_value(string slot) => 0;

    /// <summary>Called once per step before the variables are updated (e.g. Nadam's momentum schedule).</summary>
    /// <param name="step">1 for the first update.</param>
    protected virtual void prepare_step(long step) { }

    /// <summary>The learning rate of the next step: Keras 2 time decay <c>lr / (1 + decay · iterations)</c>.</summary>
    protected virtual double decayed_learning_rate() =>
        decay > 0 ? learning_rate / (1 + decay * iterations) : learning_rate;

    /// <summary>
    /// Scalar state that is not a per-variable slot (Nadam's <c>momentum_cache</c>), saved after <c>iter</c>
    /// once the optimizer is built.
    /// </summary>
    protected virtual IReadOnlyList<string> scalar_weight_names => Array.Empty<string>();

    /// <summary>The values of <see cref="scalar_weight_names"/>, in that order.</summary>
    protected virtual double[] scalar_weights
    {
        get => Array.Empty<double>();
        set { }
    }

    IReadOnlyList<string> SavedScalarNames => built ? scalar_weight_names : Array.Empty<string>();

    bool built;

    /// <inheritdoc/>
    public override void build(IReadOnlyList<KerasVariable> variables)
    {
        built = true;
        var fresh = variables.Where(v => !slots.ContainsKey(v)).Distinct(ReferenceEqualityComparer.Instance)
            .Cast<KerasVariable>().ToList();
        foreach (var v in fresh)
        {
            slots[v] = new Dictionary<string, Tensor>();
            this.variables.Add(v);
        }
        using var _ = no_grad();
        foreach (var slot in slot_names)
            foreach (var v in fresh)
            {
                slots[v][slot] = full_like(v.value, HeldScalar.Of(initial_slot_value(slot))).DetachFromDisposeScope();
                slotOrder.Add((v, slot));
            }
    }

    /// <inheritdoc/>
    public override void apply_gradients()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var pairs = variables
            .Where(v => v.value.requires_grad && v.value.grad is not null)
            .Select(v => (variable: v, gradient: v.value.grad!))
            .ToList();
        var gradients = ClipGradients(pairs.Select(p => p.gradient).ToList());
        var lr = decayed_learning_rate();
        prepare_step(iterations + 1);
        for (int i = 0; i < pairs.Count; i++)
        {
            var variable = pairs[i].variable;
            update_step(variable.value, gradients[i], SlotsOnDevice(variable), lr, iterations + 1);
        }
        iterations++;
    }

    /// <summary>tf.keras' order: clipvalue, then clipnorm per variable, then global_clipnorm.</summary>
    List<Tensor> ClipGradients(List<Tensor> gradients)
    {
        if (clipvalue is double cv) gradients = gradients.Select(g => g.clamp(HeldScalar.Of(-cv), HeldScalar.Of(cv))).ToList();
        // clip_by_norm: g · c / max(‖g‖, c), which leaves gradients already inside the ball unchanged.
        // c / t is written as TorchSharp's own double / Tensor: t.reciprocal().mul(c).
        if (clipnorm is double cn)
            gradients = gradients.Select(g => g * g.norm().clamp_min(HeldScalar.Of(cn)).reciprocal().mul(HeldScalar.Of(cn))).ToList();
        if (global_clipnorm is double gcn && gradients.Count > 0)
        {
            var global = stack(gradients.Select(g => g.pow(HeldScalar.OfInteger(2)).sum()).ToArray()).sum().sqrt();
            var scale = global.clamp_min(HeldScalar.Of(gcn)).reciprocal().mul(HeldScalar.Of(gcn));
            gradients = gradients.Select(g => g * scale).ToList();
        }
        return gradients;
    }

    /// <summary>The variable's slots, moved to its device first if the model moved since <see cref="build"/>.</summary>
    Dictionary<string, Tensor> SlotsOnDevice(KerasVariable variable)
    {
        var own = slots[variable];
        foreach (var name in own.Keys.ToList())
        {
            var slot = own[name];
            if (DeviceOf.Same(slot, variable.value)) continue;
            var moved = slot.to(variable.value.device);
            if (moved.dim() == 4) moved = ChannelsLast.Of(moved);
            own[name] = moved.DetachFromDisposeScope();
            slot.Dispose();
        }
        return own;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> weight_names =>
        new[] { $"{name}/iter:0" }.Concat(SavedScalarNames.Select(s => $"{name}/{s}:0")).Concat(slotOrder.Select(s => $"{name}/{BaseName(s.variable.name)}/{s.slot}:0")).ToList();

    /// <summary><c>conv1/kernel:0</c> → <c>conv1/kernel</c>.</summary>
    static string BaseName(string variableName)
    {
        var colon = variableName.LastIndexOf(':');
        return colon >= 0 ? variableName[..colon] : variableName;
    }

    /// <inheritdoc/>
    public override List<Tensor> get_weights()
    {
        using var _ = no_grad();
        // The chain's temporaries stay referenced by the scope while libtorch uses them (see KerasVariable.numpy).
        using var scope = NewDisposeScope();
        var result = new List<Tensor> { tensor(iterations, ScalarType.Int64) };
        if (SavedScalarNames.Count > 0) result.AddRange(scalar_weights.Select(v => tensor((float)v)));
        foreach (var (variable, slot) in slotOrder)
            result.Add(variable.layout.ToKeras(slots[variable][slot]).cpu().contiguous().clone());
        foreach (var t in result) t.MoveToOuterDisposeScope();
        return result;
    }

    /// <inheritdoc/>
    public override void set_weights(IReadOnlyList<Tensor> values)
    {
        var scalars = SavedScalarNames.Count;
        if (values.Count != slotOrder.Count + 1 + scalars)
            throw new ArgumentException(
                $"You called `set_weights(weights)` on optimizer {name} with a weight list of length {values.Count}, " +
                $"but the optimizer was expecting {slotOrder.Count + 1 + scalars} weights ({string.Join(", ", weight_names)}). " +
                "Build the optimizer for the model's trainable weights first.");
        for (int i = 0; i < slotOrder.Count; i++)
        {
            var (variable, _) = slotOrder[i];
            var expected = variable.shape.ToLongArray();
            var value = values[i + 1 + scalars];
            if (!value.shape.SequenceEqual(expected))
                throw new ArgumentException(
                    $"Optimizer weight shape {new Shape(expected)} of '{weight_names[i + 1 + scalars]}' not compatible with provided weight shape {Shape.Of(value)}.");
        }
        using var __ = no_grad();
        using var scope = NewDisposeScope(); // keeps the chains' temporaries referenced while libtorch uses them
        iterations = values[0].to_type(ScalarType.Int64).item<long>();
        if (scalars > 0)
            scalar_weights = values.Skip(1).Take(scalars).Select(v => v.to_type(ScalarType.Float64).item<double>()).ToArray();
        for (int i = 0; i < slotOrder.Count; i++)
        {
            var (variable, slot) = slotOrder[i];
            var target = slots[variable][slot];
            target.copy_(variable.layout.FromKeras(values[i + 1 + scalars].to(target.dtype).to(target.device)));
        }
    }

    /// <inheritdoc/>
    /// <remarks>Keys in tf.keras order: name, the clipping options that are set, learning_rate, decay.</remarks>
    public override JsonObject get_config()
    {
        var config = new JsonObject { ["name"] = name };
        if (clipnorm is not null) config["clipnorm"] = clipnorm;
        if (clipvalue is not null) config["clipvalue"] = clipvalue;
        if (global_clipnorm is not null) config["global_clipnorm"] = global_clipnorm;
        config["learning_rate"] = learning_rate;
        config["decay"] = decay;
        return config;
    }
}
