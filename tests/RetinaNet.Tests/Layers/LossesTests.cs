using RetinaNet.Core;
using RetinaNet.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers;

public class LossesTests
{
    const double Eps = 1e-7;

    /// <summary>Keras' binary cross-entropy on one probability: clip to [eps, 1-eps], eps inside the logs.</summary>
    static double Bce(double y, double p)
    {
        p = Math.Clamp(p, Eps, 1 - Eps);
        return -(y * Math.Log(p + Eps) + (1 - y) * Math.Log(1 - p + Eps));
    }

    /// <summary>Focal term of one (label, probability) pair with alpha 0.25, gamma 2, cutoff 0.5.</summary>
    static double FocalTerm(double y, double p) =>
        y > 0.5 ? 0.25 * Math.Pow(1 - p, 2) * Bce(y, p) : 0.75 * Math.Pow(p, 2) * Bce(y, p);

    [Test]
    public void Focal_MatchesHandComputation_IgnoringStateMinusOne()
    {
        // Anchors: positive (labels [1, 0]), ignored (state -1, large error that must not count), background.
        using var yTrue = tensor(new float[] { 1, 0, 1, 0, 0, -1, 0, 0, 0 }, new long[] { 1, 3, 3 });
        using var yPred = tensor(new float[] { 0.9f, 0.2f, 0.01f, 0.99f, 0.1f, 0.3f }, new long[] { 1, 3, 2 });
        using var loss = Losses.focal().call(yTrue, yPred);
        double positive = FocalTerm(1, 0.9) + FocalTerm(0, 0.2);
        Assert.That(positive, Is.EqualTo(0.0069577).Within(1e-7)); // the reference's worked example
        double expected = positive + FocalTerm(0, 0.1) + FocalTerm(0, 0.3);
        Assert.That(loss.item<float>(), Is.EqualTo(expected).Within(1e-6));
    }

    [Test]
    public void Focal_NormalisesByPositivesOverTheBatch_AtLeastOne()
    {
        // Two images, one positive anchor each: the sum is divided by 2.
        using var yTrue = tensor(new float[] { 1, 0, 1, 0, 1, 1 }, new long[] { 2, 1, 3 });
        using var yPred = tensor(new float[] { 0.7f, 0.4f, 0.6f, 0.2f }, new long[] { 2, 1, 2 });
        double sum = FocalTerm(1, 0.7) + FocalTerm(0, 0.4) + FocalTerm(0, 0.6) + FocalTerm(1, 0.2);
        using var loss = new Focal().call(yTrue, yPred);
        Assert.That(loss.item<float>(), Is.EqualTo(sum / 2).Within(1e-6));

        // No positives: background terms summed, divided by 1.
        using var bgTrue = tensor(new float[] { 0, 0, 0, 0, 0, -1 }, new long[] { 1, 2, 3 });
        using var bgPred = tensor(new float[] { 0.2f, 0.1f, 0.9f, 0.9f }, new long[] { 1, 2, 2 });
        using var bgLoss = new Focal().call(bgTrue, bgPred);
        Assert.That(bgLoss.item<float>(), Is.EqualTo(FocalTerm(0, 0.2) + FocalTerm(0, 0.1)).Within(1e-7));
    }

    [Test]
    public void Focal_ClipsProbabilitiesAndHasNoGradientOnIgnoredAnchors()
    {
        using var yTrue = tensor(new float[] { 1, 1, 1, -1 }, new long[] { 1, 2, 2 });
        using var yPred = tensor(new float[] { 0f, 0.5f }, new long[] { 1, 2, 1 }).requires_grad_();
        using var loss = new Focal(alpha: 0.5, gamma: 0).call(yTrue, yPred);
        // p = 0 clips to 1e-7: 0.5 · -ln(1e-7 + 1e-7).
        Assert.That(loss.item<float>(), Is.EqualTo(0.5 * -Math.Log(2e-7)).Within(1e-4));
        loss.backward();
        Assert.That(yPred.grad!.data<float>()[1], Is.EqualTo(0f));
    }

    [Test]
    public void SmoothL1_QuadraticBelowOneOverSigmaSquared_LinearAbove_PositivesOnly()
    {
        // Positive anchor diffs 0.05 (quadratic), -1 (linear), 0.2 (linear), 0; other anchors do not count.
        using var yTrue = tensor(new float[] { 0, 0, 0, 0, 1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0 }, new long[] { 1, 3, 5 });
        using var yPred = tensor(new float[] { 0.05f, -1, 0.2f, 0, 5, 5, 5, 5, 3, 3, 3, 3 }, new long[] { 1, 3, 4 });
        using var loss = Losses.smooth_l1().call(yTrue, yPred);
        double s2 = 9;
        double expected = 0.5 * s2 * 0.05 * 0.05 + (1 - 0.5 / s2) + (0.2 - 0.5 / s2);
        Assert.That(loss.item<float>(), Is.EqualTo(expected).Within(1e-6));
    }

    [Test]
    public void SmoothL1_NormalisesByPositives_ZeroWithoutPositives()
    {
        // Three positives over two images, each with |diff| = 1 in one coordinate: 3 · (1 - 0.5/σ²) / 3 with σ = 1.
        using var yTrue = tensor(new float[] { 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0 }, new long[] { 2, 2, 5 });
        using var yPred = tensor(new float[] { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 9, 9, 9, 9 }, new long[] { 2, 2, 4 });
        using var loss = new SmoothL1(sigma: 1).call(yTrue, yPred);
        Assert.That(loss.item<float>(), Is.EqualTo(0.5).Within(1e-6));

        using var none = tensor(new float[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, -1 }, new long[] { 1, 2, 5 });
        using var pred = ones(1, 2, 4);
        using var zero = new SmoothL1().call(none, pred);
        Assert.That(zero.item<float>(), Is.EqualTo(0f));
    }

    [Test]
    public void Names_AndConfigs_AreWhatKerasRetinanetSaves()
    {
        var focal = Losses.focal(alpha: 0.3, gamma: 1.5);
        Assert.That(focal.name, Is.EqualTo("_focal"));
        var config = focal.get_config();
        Assert.That((config["alpha"]!.GetValue<double>(), config["gamma"]!.GetValue<double>(), config["cutoff"]!.GetValue<double>()),
            Is.EqualTo((0.3, 1.5, 0.5)));
        var copy = (Focal)ConfigBinder.FromType(typeof(Focal), config);
        Assert.That((copy.alpha, copy.gamma, copy.cutoff, copy.name), Is.EqualTo((0.3, 1.5, 0.5, "_focal")));

        var smooth = Losses.smooth_l1(sigma: 2);
        Assert.That(smooth.name, Is.EqualTo("_smooth_l1"));
        var smoothCopy = (SmoothL1)ConfigBinder.FromType(typeof(SmoothL1), smooth.get_config());
        Assert.That(smoothCopy.sigma, Is.EqualTo(2.0));
    }
}
