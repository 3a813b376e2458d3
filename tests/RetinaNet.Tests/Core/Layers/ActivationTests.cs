using RetinaNet.Core.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Layers;

public class ActivationTests
{
    [Test]
    public void Activation_AppliesNamedFunction()
    {
        using var x = randn(2, 7);
        using var relu = new Activation("relu").Apply(x);
        using var sigmoid = new Activation("sigmoid").Apply(x);
        var xs = TensorValues.Of(x);
        Assert.That(TensorValues.Of(relu), Is.EqualTo(xs.Select(v => Math.Max(v, 0f)).ToArray()));
        Assert.That(TensorValues.Of(sigmoid), Is.EqualTo(xs.Select(v => (float)(1 / (1 + Math.Exp(-v)))).ToArray()).Within(1e-6));
    }

    /// <summary>Keras' ReLU: x above the threshold (clipped at max_value), negative_slope·(x − threshold) at or below.</summary>
    [TestCase(null, 0.0, 0.0)]
    [TestCase(6.0, 0.0, 0.0)]
    [TestCase(null, 0.1, 0.0)]
    [TestCase(2.5, 0.2, 0.5)]
    [TestCase(null, 0.0, 1.0)]
    public void ReLU_MatchesKerasFormula(double? maxValue, double slope, double threshold)
    {
        using var x = tensor(Enumerable.Range(-16, 33).Select(i => i * 0.25f).ToArray());
        using var y = new ReLU(maxValue, slope, threshold).Apply(x);
        var expected = TensorValues.Of(x).Select(v =>
        {
            if (v > threshold) return (float)Math.Min(v, maxValue ?? double.PositiveInfinity);
            return (float)(slope * (v - threshold));
        }).ToArray();
        Assert.That(TensorValues.Of(y), Is.EqualTo(expected).Within(1e-6));
    }

    [Test]
    public void ReLU_RejectsNegativeArguments()
    {
        Assert.Throws<ArgumentException>(() => new ReLU(max_value: -1));
        Assert.Throws<ArgumentException>(() => new ReLU(negative_slope: -0.1));
        Assert.Throws<ArgumentException>(() => new ReLU(threshold: -0.5));
    }

    /// <summary>The activations rewritten to pass held scalars give the same bits as TorchSharp's own functions.</summary>
    [TestCase("elu")]
    [TestCase("softplus")]
    [TestCase("softsign")]
    [TestCase("leaky_relu")]
    [TestCase("hard_sigmoid")]
    public void Activations_WithHeldScalars_MatchTorchSharpFunctionsBitForBit(string name)
    {
        using var x = randn(4, 33) * 8;
        using var expected = name switch
        {
            "elu" => nn.functional.elu(x, 1.0),
            "softplus" => nn.functional.softplus(x),
            "softsign" => nn.functional.softsign(x),
            "leaky_relu" => nn.functional.leaky_relu(x, 0.2),
            _ => (x * 0.2 + 0.5).clamp(0.0, 1.0),
        };
        using var actual = RetinaNet.Core.Activations.Get(name)(x);
        Assert.That(TensorValues.Of(actual), Is.EqualTo(TensorValues.Of(expected)));
    }
}
