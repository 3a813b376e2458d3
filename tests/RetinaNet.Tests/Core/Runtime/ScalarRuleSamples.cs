using RetinaNet.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Runtime;

/// <summary>Code written right and wrong, compiled into the test assembly so the scanner is tested on real IL.</summary>
static class ScalarRuleSamples
{
    // Wrong: each hands libtorch a Scalar that only the finalizer will free.
    public static Tensor OneMinus(Tensor p) => 1.0 - p;
    public static Tensor TimesTwo(Tensor t) => t * 2;
    public static Tensor Sum(Tensor a, Tensor b) => a + b;
    public static Tensor AddWithoutAlpha(Tensor a, Tensor b) => a.add(b);
    public static Tensor UndisposedToScalar(Tensor t) => t.mul(3.0.ToScalar());
    public static Func<Tensor, Tensor> ImplicitInLambda() => t => t.mul(4.0);

    // Right.
    public static Tensor HeldConstant(Tensor p) => p.neg().add(HeldScalar.One, HeldScalar.One);
    public static Tensor HeldSum(Tensor a, Tensor b) => a.add(b, HeldScalar.One);
    public static Tensor TensorProduct(Tensor a, Tensor b) => a * b;

    public static Tensor UsingLocal(Tensor t, double factor)
    {
        using var s = factor.ToScalar();
        return t.mul(s);
    }
}
