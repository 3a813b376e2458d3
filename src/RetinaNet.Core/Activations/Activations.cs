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
        ["hard_sigmoid"] = x => (x * 0.2 + 0.5).clamp(0.0, 1.0), // Keras 2 definition, not torch's x/6+0.5
        ["softmax"] = x => F.softmax(x, -1),
        ["log_softmax"] = x => F.log_softmax(x, -1),
        ["tanh"] = x => x.tanh(),
        ["elu"] = x => F.elu(x, 1.0),
        ["selu"] = x => F.selu(x),
        ["softplus"] = x => F.softplus(x),
        ["softsign"] = x => F.softsign(x),
        ["swish"] = x => F.silu(x),
        ["silu"] = x => F.silu(x),
        ["gelu"] = x => F.gelu(x),
        ["exponential"] = x => x.exp(),
        ["leaky_relu"] = x => F.leaky_relu(x, 0.2),
    };

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
