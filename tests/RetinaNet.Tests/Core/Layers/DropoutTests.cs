using RetinaNet.Core.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Layers;

public class DropoutTests
{
    [Test]
    public void Dropout_IsIdentityOutsideTraining()
    {
        using var x = randn(3, 5);
        using var y = new Dropout(0.5).Apply(x);
        Assert.That(TensorValues.Of(y), Is.EqualTo(TensorValues.Of(x)));
    }

    /// <summary>
    /// Training: each element is 0 or x/(1−rate), and about (1−rate) of them survive, so the mean of a tensor of
    /// ones stays near 1 (20,000 draws: the tolerance is more than six standard deviations).
    /// </summary>
    [Test]
    public void Dropout_Training_KeepsExpectation()
    {
        const double rate = 0.3;
        using var x = ones(20, 1000);
        using var y = new Dropout(rate, seed: 7).Apply(x, training: true);
        var ys = TensorValues.Of(y);
        Assert.That(ys, Is.All.EqualTo(0f).Or.EqualTo((float)(1 / (1 - rate))).Within(1e-6));
        Assert.That(ys.Average(), Is.EqualTo(1.0).Within(0.03));
        Assert.That(ys.Count(v => v == 0) / (double)ys.Length, Is.EqualTo(rate).Within(0.03));
    }

    [Test]
    public void Dropout_NoiseShape_SharesTheDrawAlongSizeOneAxes()
    {
        using var x = ones(4, 6, 5);
        using var y = new Dropout(0.5, noise_shape: new RetinaNet.Core.Shape(null, 1, 5)).Apply(x, training: true);
        var ys = TensorValues.Of(y);
        for (int n = 0; n < 4; n++)
        for (int j = 0; j < 5; j++)
        {
            var column = Enumerable.Range(0, 6).Select(i => ys[(n * 6 + i) * 5 + j]).Distinct().ToArray();
            Assert.That(column, Has.Length.EqualTo(1));
        }
    }

    [Test]
    public void SpatialDropout2D_DropsWholeChannels()
    {
        const double rate = 0.5;
        using var x = ones(8, 3, 3, 16);
        using var y = new SpatialDropout2D(rate).Apply(x, training: true);
        var ys = TensorValues.Of(y);
        for (int n = 0; n < 8; n++)
        for (int c = 0; c < 16; c++)
        {
            var map = Enumerable.Range(0, 9).Select(p => ys[(n * 9 + p) * 16 + c]).Distinct().ToArray();
            Assert.That(map, Has.Length.EqualTo(1));
            Assert.That(map[0], Is.EqualTo(0f).Or.EqualTo(2f));
        }
        using var inference = new SpatialDropout2D(rate).Apply(x);
        Assert.That(TensorValues.Of(inference), Is.All.EqualTo(1f));
    }
}
