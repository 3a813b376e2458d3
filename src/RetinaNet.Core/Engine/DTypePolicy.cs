using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// The element types a layer computes in and keeps its weights in (Keras 3's <c>keras.DTypePolicy</c>):
/// <c>"float32"</c> (the default: everything fp32) or <c>"mixed_bfloat16"</c> (the kernel layers — Conv2D,
/// DepthwiseConv2D, Dense — multiply in bfloat16 with fp32 accumulation, weights stay fp32).
/// </summary>
/// <remarks>
/// Unlike Keras, where a mixed policy makes a layer's outputs bfloat16, a kernel layer here casts its result back
/// to fp32: batch norm, activations, additions, losses, anchors, box decoding and NMS then all stay fp32, which is
/// the recipe for mixed-precision training (fp32 master weights, statistics and losses) and keeps boxes exact. The
/// policy is a run-time setting: configs and saved files keep <c>"dtype": "float32"</c>.
/// </remarks>
public sealed class DTypePolicy
{
    DTypePolicy(string name, ScalarType compute) => (this.name, computeType) = (name, compute);

    readonly ScalarType computeType;

    /// <summary>Everything in fp32 (the default).</summary>
    public static DTypePolicy Float32 { get; } = new("float32", ScalarType.Float32);

    /// <summary>Kernel layers multiply in bfloat16; weights, outputs and everything else fp32.</summary>
    public static DTypePolicy MixedBFloat16 { get; } = new("mixed_bfloat16", ScalarType.BFloat16);

    /// <summary>The Keras name: <c>float32</c> or <c>mixed_bfloat16</c>.</summary>
    public string name { get; }

    /// <summary>The Keras name of the type products are computed in (<c>float32</c> or <c>bfloat16</c>).</summary>
    public string compute_dtype => computeType == ScalarType.BFloat16 ? "bfloat16" : "float32";

    /// <summary>The Keras name of the weights' type (always <c>float32</c>).</summary>
    public string variable_dtype => "float32";

    /// <summary>True when products are computed in a narrower type than the weights.</summary>
    public bool is_mixed => computeType != ScalarType.Float32;

    /// <summary>The policy of a Keras name (<c>float32</c>, <c>mixed_bfloat16</c>).</summary>
    public static DTypePolicy Get(string name) => name switch
    {
        "float32" => Float32,
        "mixed_bfloat16" => MixedBFloat16,
        _ => throw new ArgumentException($"Unknown dtype policy '{name}' (known: float32, mixed_bfloat16)."),
    };

    /// <summary>
    /// The type a product of <paramref name="input"/> is computed in: the compute type for fp32 inputs, the input's
    /// own type otherwise (an fp64 model stays fp64).
    /// </summary>
    public ScalarType ComputeTypeFor(Tensor input) => input.dtype == ScalarType.Float32 ? computeType : input.dtype;

    /// <inheritdoc/>
    public override string ToString() => $"<DTypePolicy \"{name}\">";
}
