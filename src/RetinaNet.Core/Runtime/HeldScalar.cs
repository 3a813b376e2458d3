using System.Collections.Concurrent;
using TorchSharp;

namespace RetinaNet.Core;

/// <summary>
/// Constant libtorch scalars that stay alive for the whole process.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 turns a <c>double</c> operand (and the implicit <c>alpha = 1</c> of <c>add</c>/<c>sub</c>) into a
/// <see cref="Scalar"/> that nothing disposes; once its handle is passed to libtorch the object is unreachable, so a
/// garbage collection during a long operation can let the finalizer free the native scalar while libtorch still
/// reads it ("Expected false to be true" from <c>Scalar::toFloat</c>, seen in training; dotnet/TorchSharp#1434).
/// Every operation passes scalars from here (or <c>using</c> locals for per-call values that vary without bound);
/// <c>HeldScalarRuleTests</c> scans the compiled assemblies and fails on any call that hands TorchSharp a Scalar
/// nobody holds, including the TorchSharp members that make one inside (<c>Tensor + Tensor</c>, <c>add(Tensor)</c>,
/// <c>tensor * 2.0</c>, <c>arange(n)</c>, <c>square()</c>, ...).
/// </remarks>
public static class HeldScalar
{
    static readonly ConcurrentDictionary<double, Scalar> constants = new();
    static readonly ConcurrentDictionary<long, Scalar> integers = new();

    /// <summary>The scalar 1 (the <c>alpha</c> of additions, the <c>value</c> of <c>addcmul</c>).</summary>
    public static Scalar One { get; } = Of(1);

    /// <summary>A process-lifetime scalar for a constant (hyper-parameters, epsilons); not for per-step values.</summary>
    public static Scalar Of(double value) => constants.GetOrAdd(value, v => v.ToScalar());

    /// <summary>
    /// A process-lifetime integer scalar, for integer tensors (a double scalar would promote them to floating point)
    /// and integer-valued arguments such as <c>arange</c> bounds.
    /// </summary>
    public static Scalar OfInteger(long value) => integers.GetOrAdd(value, v => v.ToScalar());
}
