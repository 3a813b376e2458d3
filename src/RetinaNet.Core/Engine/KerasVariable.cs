using TorchSharp;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// How a weight is stored natively versus how Keras sees it. Keras shapes are what <c>get_weights</c>,
/// <c>set_weights</c>, initializers and <c>.h5</c> files use; the native form is what libtorch computes with.
/// </summary>
public abstract class VariableLayout
{
    /// <summary>Same layout on both sides.</summary>
    public static readonly VariableLayout Identity = new IdentityLayout();

    /// <summary>Conv2D kernels: Keras (kh, kw, in, out) ⇄ libtorch (out, in, kh, kw) in channels-last memory.</summary>
    public static readonly VariableLayout Conv2DKernel = new ConvKernelLayout();

    /// <summary>The native value for a tensor in Keras layout.</summary>
    public abstract Tensor FromKeras(Tensor keras);

    /// <summary>A view (or copy) of a native value in Keras layout.</summary>
    public abstract Tensor ToKeras(Tensor native);

    sealed class IdentityLayout : VariableLayout
    {
        public override Tensor FromKeras(Tensor keras) => keras.contiguous();
        public override Tensor ToKeras(Tensor native) => native;
    }

    sealed class ConvKernelLayout : VariableLayout
    {
        public override Tensor FromKeras(Tensor keras) =>
            ChannelsLast.Of(keras.permute(3, 2, 0, 1));
        public override Tensor ToKeras(Tensor native) => native.permute(2, 3, 1, 0);
    }
}

/// <summary>
/// A layer weight (Keras' <c>Variable</c>): a named libtorch parameter plus the Keras view of it.
/// </summary>
public sealed class KerasVariable
{
    internal KerasVariable(string name, Shape kerasShape, Tensor native, bool trainable, VariableLayout layout)
    {
        this.name = name;
        shape = kerasShape;
        this.layout = layout;
        this.trainable = trainable;
        // Weights live as long as their layer, not as long as the dispose scope that happened to be open when the
        // layer was built (a user's loop, a training step).
        value = new TorchSharp.Modules.Parameter(native, requires_grad: trainable);
        value.DetachFromDisposeScope();
    }

    /// <summary>Keras name, e.g. <c>conv1/kernel:0</c>.</summary>
    public string name { get; internal set; }

    /// <summary>The weight's shape in Keras layout.</summary>
    public Shape shape { get; }

    /// <summary>How native storage maps to the Keras layout.</summary>
    public VariableLayout layout { get; }

    /// <summary>Whether the weight was created trainable (the layer's own <c>trainable</c> flag also counts).</summary>
    public bool trainable { get; }

    /// <summary>Turns gradients on or off when the owning layer is frozen or unfrozen.</summary>
    internal void UpdateRequiresGrad(bool layerTrainable) => value.requires_grad = trainable && layerTrainable;

    /// <summary>The native libtorch parameter used in computation.</summary>
    public TorchSharp.Modules.Parameter value
    {
        get => _value!;
        private set => _value = value;
    }
    TorchSharp.Modules.Parameter? _value;

    /// <summary>The short name without the layer prefix and <c>:0</c>, e.g. <c>kernel</c>.</summary>
    public string short_name
    {
        get
        {
            var n = name;
            var colon = n.LastIndexOf(':');
            if (colon >= 0) n = n[..colon];
            var slash = n.LastIndexOf('/');
            return slash >= 0 ? n[(slash + 1)..] : n;
        }
    }

    /// <summary>A detached copy of the value in Keras layout on the CPU (like <c>numpy()</c>).</summary>
    public Tensor numpy()
    {
        using var _ = no_grad();
        // The scope keeps each intermediate reachable: a temporary whose method is running could otherwise be
        // finalized (and its native tensor freed) mid-call under GC pressure.
        using var scope = NewDisposeScope();
        return layout.ToKeras(value.detach()).cpu().contiguous().clone().MoveToOuterDisposeScope();
    }

    /// <summary>Sets the value from a tensor in Keras layout (any device; copied).</summary>
    public void assign(Tensor kerasValue)
    {
        var expected = shape.ToLongArray();
        if (!kerasValue.shape.SequenceEqual(expected))
            throw new ArgumentException(
                $"Weight '{name}' expects shape {shape}, received {new Shape(kerasValue.shape)}.");
        using var _ = no_grad();
        using var scope = NewDisposeScope(); // keeps the chain's temporaries referenced while libtorch uses them
        var native = layout.FromKeras(kerasValue.to(value.dtype).to(value.device));
        value.copy_(native);
    }

    /// <summary>Moves the weight to a device (keeps the same parameter object when already there).</summary>
    internal void to(Device device)
    {
        if (value.device == device) return;
        using var _ = no_grad();
        var moved = value.detach().to(device);
        if (moved.dim() == 4) moved = ChannelsLast.Of(moved);
        value = new TorchSharp.Modules.Parameter(moved, requires_grad: value.requires_grad);
        value.DetachFromDisposeScope();
    }

    /// <inheritdoc/>
    public override string ToString() => $"<KerasVariable {name} shape={shape} trainable={trainable}>";
}
