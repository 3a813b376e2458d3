using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Core.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Layers;

public class BatchNormalizationTests
{
    const int C = 3;
    static readonly float[] Gamma = { 1.5f, 0.5f, -2f };
    static readonly float[] Beta = { 0.1f, -0.3f, 2f };
    static readonly float[] MovingMean = { 0.2f, -1f, 3f };
    static readonly float[] MovingVar = { 0.5f, 2f, 1.25f };

    static BatchNormalization Built(Tensor x, double momentum = 0.99, double epsilon = 1e-3, object? axis = null, bool? fused = null)
    {
        var bn = new BatchNormalization(axis: axis, momentum: momentum, epsilon: epsilon, fused: fused);
        bn.Apply(x).Dispose();
        bn.set_weights(new[] { tensor(Gamma), tensor(Beta), tensor(MovingMean), tensor(MovingVar) });
        return bn;
    }

    /// <summary>Per-channel mean and variances of a (…, C) array with the channel last, by loops.</summary>
    static (double mean, double biased, double unbiased) Moments(float[] values, int channel)
    {
        var xs = values.Where((_, i) => i % C == channel).Select(v => (double)v).ToArray();
        var mean = xs.Average();
        var squares = xs.Sum(v => (v - mean) * (v - mean));
        return (mean, squares / xs.Length, squares / (xs.Length - 1));
    }

    [Test]
    public void Weights_AreGammaBetaMovingMeanMovingVariance_InKerasOrder()
    {
        using var x = randn(2, 2, 2, C);
        var bn = new BatchNormalization(name: "bn");
        bn.Apply(x).Dispose();
        Assert.That(bn.weights.Select(w => w.name),
            Is.EqualTo(new[] { "bn/gamma:0", "bn/beta:0", "bn/moving_mean:0", "bn/moving_variance:0" }));
        Assert.That(bn.trainable_weights.Select(w => w.short_name), Is.EqualTo(new[] { "gamma", "beta" }));
        Assert.That(bn.weights.Select(w => w.shape), Is.All.EqualTo(new Shape(3L)));
        var noScale = new BatchNormalization(scale: false, name: "bn2");
        noScale.Apply(x).Dispose();
        Assert.That(noScale.weights.Select(w => w.short_name), Is.EqualTo(new[] { "beta", "moving_mean", "moving_variance" }));
    }

    /// <summary>
    /// NHWC training: normalised with the biased batch variance; the moving variance moves towards the unbiased one
    /// (Keras 2's fused kernel), the moving mean towards the batch mean, both with weight 1 − momentum.
    /// </summary>
    [Test]
    public void Training_Nhwc_UsesBatchStatistics_AndUpdatesMovingStatistics()
    {
        using var x = randn(2, 3, 2, C) * 2 + 1;
        const double momentum = 0.9, eps = 1e-3;
        var bn = Built(x, momentum, eps);
        using var y = bn.Apply(x, training: true);

        var xs = TensorValues.Of(x);
        var ys = TensorValues.Of(y);
        var movingMean = TensorValues.Of(bn.moving_mean.numpy());
        var movingVar = TensorValues.Of(bn.moving_variance.numpy());
        for (int c = 0; c < C; c++)
        {
            var (mean, biased, unbiased) = Moments(xs, c);
            for (int i = c; i < xs.Length; i += C)
                Assert.That(ys[i], Is.EqualTo(Gamma[c] * (xs[i] - mean) / Math.Sqrt(biased + eps) + Beta[c]).Within(1e-4));
            Assert.That(movingMean[c], Is.EqualTo(momentum * MovingMean[c] + (1 - momentum) * mean).Within(1e-5));
            Assert.That(movingVar[c], Is.EqualTo(momentum * MovingVar[c] + (1 - momentum) * unbiased).Within(1e-5));
        }
    }

    /// <summary>A 2-D input goes through Keras' non-fused path: the moving variance takes the biased variance.</summary>
    [Test]
    public void Training_Rank2_UpdatesMovingVarianceWithBiasedVariance()
    {
        using var x = randn(5, C);
        var bn = Built(x, momentum: 0.5);
        using var y = bn.Apply(x, training: true);
        var xs = TensorValues.Of(x);
        var ys = TensorValues.Of(y);
        var movingVar = TensorValues.Of(bn.moving_variance.numpy());
        for (int c = 0; c < C; c++)
        {
            var (mean, biased, _) = Moments(xs, c);
            for (int i = c; i < xs.Length; i += C)
                Assert.That(ys[i], Is.EqualTo(Gamma[c] * (xs[i] - mean) / Math.Sqrt(biased + 1e-3) + Beta[c]).Within(1e-4));
            Assert.That(movingVar[c], Is.EqualTo(0.5 * MovingVar[c] + 0.5 * biased).Within(1e-5));
        }
    }

    /// <summary>Inference, and training of a frozen layer, normalise with the moving statistics and leave them alone.</summary>
    [TestCase(false, true, true)]
    [TestCase(true, false, true)]
    [TestCase(false, true, false)]
    public void MovingStatistics_UsedWhenNotTrainingOrFrozen(bool training, bool trainable, bool fused)
    {
        using var x = randn(2, 2, 3, C);
        var bn = Built(x, epsilon: 0.01, fused: fused);
        bn.trainable = trainable;
        using var y = bn.Apply(x, training);
        var xs = TensorValues.Of(x);
        var ys = TensorValues.Of(y);
        for (int i = 0; i < xs.Length; i++)
        {
            int c = i % C;
            Assert.That(ys[i], Is.EqualTo(Gamma[c] * (xs[i] - MovingMean[c]) / Math.Sqrt(MovingVar[c] + 0.01) + Beta[c]).Within(1e-4));
        }
        Assert.That(TensorValues.Of(bn.moving_mean.numpy()), Is.EqualTo(MovingMean));
        Assert.That(TensorValues.Of(bn.moving_variance.numpy()), Is.EqualTo(MovingVar));
    }

    /// <summary>Normalising axis 1 of an NHWC tensor (the rows) works too: weights have that axis's size.</summary>
    [Test]
    public void OtherAxis_NormalisesThatAxis()
    {
        using var x = randn(2, C, 4, 2);
        var bn = Built(x, axis: 1);
        using var y = bn.Apply(x);
        var xs = TensorValues.Of(x);
        var ys = TensorValues.Of(y);
        for (int i = 0; i < xs.Length; i++)
        {
            int c = i / 8 % C;
            Assert.That(ys[i], Is.EqualTo(Gamma[c] * (xs[i] - MovingMean[c]) / Math.Sqrt(MovingVar[c] + 1e-3) + Beta[c]).Within(1e-4));
        }
    }

    [Test]
    public void Config_AxisIsAsGivenBeforeBuild_AndAbsoluteListAfter()
    {
        var bn = new BatchNormalization();
        Assert.That(bn.get_config()["axis"]!.ToJsonString(), Is.EqualTo("-1"));
        Assert.That(bn.get_config()["momentum"]!.GetValue<double>(), Is.EqualTo(0.99));
        Assert.That(bn.get_config()["epsilon"]!.GetValue<double>(), Is.EqualTo(1e-3));
        bn.Apply(keras.Input(new Shape(null, null, 4)));
        Assert.That(bn.get_config()["axis"]!.ToJsonString(), Is.EqualTo("[3]"));
        var fromList = (BatchNormalization)ConfigBinder.FromType(typeof(BatchNormalization),
            JsonNode.Parse("""{"axis": [3], "momentum": 0.9, "epsilon": 1e-5, "name": "bn_conv1"}""")!.AsObject());
        Assert.That(fromList.axis, Is.EqualTo(new[] { 3 }));
        Assert.That(fromList.name, Is.EqualTo("bn_conv1"));
        Assert.That(fromList.epsilon, Is.EqualTo(1e-5));
    }

    [Test]
    public void UndefinedAxisDimension_IsRejected()
    {
        var error = Assert.Throws<LayerInputException>(() => new BatchNormalization().Apply(keras.Input(new Shape(4, null))));
        Assert.That(error!.Message, Does.Contain("undefined `axis` dimension"));
    }
}
