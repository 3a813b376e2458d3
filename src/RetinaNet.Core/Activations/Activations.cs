using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace RetinaNet.Core;

/// <summary>
/// Keras activation functions by name. A custom activation is a <c>Func&lt;Tensor, Tensor&gt;</c> passed in
/// <c>custom_objects</c> under the name the config uses.
/// </summary>
public static class Activations
{
    static readonly Dictionary<string, Func<Tensor, Tensor>> builtins = new()
    {
        ["linear"] = x => x.alias(),
        ["relu"] = x => F.relu(x),
        ["relu6"] = x => F.relu6(x),
        ["sigmoid"] = x => F.sigmoid(x),
        ["hard_sigmoid"] = HardSigmoid, // Keras 2 definition, not torch's x/6+0.5
        ["softmax"] = x => F.softmax(x, -1),
        ["log_softmax"] = x => F.log_softmax(x, -1),
        ["tanh"] = x => x.tanh(),
        ["elu"] = x => x.elu(HeldScalar.One, HeldScalar.One, HeldScalar.One),
        ["selu"] = x => F.selu(x),
        ["softplus"] = Softplus,
        ["softsign"] = Softsign,
        ["swish"] = x => F.silu(x),
        ["silu"] = x => F.silu(x),
        ["gelu"] = x => F.gelu(x),
        ["exponential"] = x => x.exp(),
        ["leaky_relu"] = x => x.leaky_relu(HeldScalar.Of(0.2)),
    };

    static Tensor HardSigmoid(Tensor x)
    {
        using var scaled = x.mul(HeldScalar.Of(0.2));
        using var shifted = scaled.add(HeldScalar.Of(0.5), HeldScalar.One);
        return shifted.clamp(HeldScalar.Of(0.0), HeldScalar.Of(1.0));
    }

    // TorchSharp 0.107's public softplus(double, double) converts its arguments to Scalars nobody holds; the private
    // overload it forwards to takes Scalars, so it is called with held ones (beta 1, threshold 20: Keras' softplus).
    static readonly Lazy<Func<Tensor, Scalar, Scalar, Tensor>> softplusWithScalars = new(() =>
        typeof(Tensor).GetMethod("softplus1", BindingFlags.NonPublic | BindingFlags.Instance, new[] { typeof(Scalar), typeof(Scalar) })
            ?.CreateDelegate<Func<Tensor, Scalar, Scalar, Tensor>>()
        ?? throw new MissingMethodException("TorchSharp's Tensor.softplus1(Scalar, Scalar) is gone: update Activations.Softplus."));

    static Tensor Softplus(Tensor x) => softplusWithScalars.Value(x, HeldScalar.One, HeldScalar.Of(20));

    // TorchSharp's F.softsign, x / (1 + |x|), with the 1 held.
    static Tensor Softsign(Tensor x)
    {
        using var abs = x.abs();
        using var denominator = abs.add(HeldScalar.One, HeldScalar.One);
        return x.div(denominator);
    }

    /// <summary>The function for a name (custom_objects first); null or empty means linear.</summary>
    public static Func<Tensor, Tensor> Get(string? name)
    {
        if (string.IsNullOrEmpty(name)) return builtins["linear"];
        if (CustomObjectScope.TryGet(name, out var custom) && custom is Func<Tensor, Tensor> f) return f;
        if (builtins.TryGetValue(name, out var builtin)) return builtin;
        throw new KerasConfigException(KerasObjects.UnknownMessage("activation function", name, LayerCallContext.Current?.name));
    }

    /// <summary>True for a built-in name.</summary>
    public static bool IsBuiltin(string name) => builtins.ContainsKey(name);
}
