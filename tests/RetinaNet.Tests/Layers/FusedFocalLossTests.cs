using RetinaNet.Core;
using RetinaNet.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers;

/// <summary>
/// The focal loss computing its own gradient (issue 19, item 6) against the formula composed by autograd, as it was
/// written before: the same value bit for bit and the same gradients within 1e-6 relative.
/// </summary>
public class FusedFocalLossTests
{
    /// <summary>keras-retinanet's focal loss written out for autograd (the previous implementation).</summary>
    static Tensor Composed(Tensor y_true, Tensor y_pred, double alpha, double gamma, double cutoff)
    {
        long numClasses = y_true.shape[^1] - 1;
        var anchor_state = y_true.select(-1, numClasses);
        var kept = anchor_state.ne(-1);
        var labels = y_true.narrow(-1, 0, numClasses)[kept];
        var classification = y_pred[kept];
        var positive = labels.gt(cutoff);
        var alpha_factor = where(positive, full_like(labels, alpha), full_like(labels, 1 - alpha));
        var focal_weight = where(positive, classification.neg().add_(1, 1), classification);
        focal_weight = alpha_factor * focal_weight.pow(gamma);
        var cls_loss = focal_weight * keras.backend.binary_crossentropy(labels, classification);
        var normalizer = anchor_state.eq(1).sum().to(y_pred.dtype).clamp_min(1);
        return cls_loss.sum() / normalizer;
    }

    /// <summary>Targets with positives, background and ignored anchors, some soft labels; scores incl. 0, 1 and the clip edges.</summary>
    static (Tensor yTrue, Tensor yPred) Batch(long seed)
    {
        var g = new TorchSharp.torch.Generator((ulong)seed);
        const int B = 2, N = 300, C = 5;
        var state = randint(-1, 2, new long[] { B, N, 1 }, generator: g).to(ScalarType.Float32);
        var cls = randint(0, C, new long[] { B, N }, generator: g);
        var labels = nn.functional.one_hot(cls, C).to(ScalarType.Float32) * state.clamp_min(0);
        // A few soft labels either side of the cut-off.
        labels[0, TensorIndex.Slice(0, 10), 0] = rand(new long[] { 10 }, generator: g);
        var yPred = rand(new long[] { B, N, C }, generator: g);
        yPred[0, 0, 0] = 0f; yPred[0, 1, 1] = 1f; yPred[0, 2, 2] = 1e-7f; yPred[0, 3, 3] = 1 - 1e-7f; yPred[1, 4, 4] = 5e-8f;
        return (cat(new[] { labels, state }, -1), yPred);
    }

    [TestCase(0.25, 2.0, 0.5)]
    [TestCase(0.25, 1.5, 0.5)]
    [TestCase(0.5, 1.0, 0.3)]
    [TestCase(0.75, 0.0, 0.5)]
    public void FusedFocal_SameValueBitForBit_AndGradientWithin1e6Relative(double alpha, double gamma, double cutoff)
    {
        using var scope = NewDisposeScope();
        for (long seed = 0; seed < 3; seed++)
        {
            var (yTrue, yPred) = Batch(seed);
            var composedInput = yPred.clone().requires_grad_();
            var fusedInput = yPred.clone().requires_grad_();
            var composed = Composed(yTrue, composedInput, alpha, gamma, cutoff);
            var fused = new Focal(alpha, gamma, cutoff).call(yTrue, fusedInput);
            composed.backward();
            fused.backward();

            Assert.That(fused.item<float>(), Is.EqualTo(composed.item<float>()), "value, bit for bit");
            var expected = composedInput.grad!;
            var actual = fusedInput.grad!;
            var scale = expected.abs().max().item<float>();
            Assert.That(scale, Is.GreaterThan(0f));
            var error = (actual - expected).abs().max().item<float>();
            Assert.That(error, Is.LessThanOrEqualTo(1e-6 * scale), $"seed {seed}: max gradient error {error} at scale {scale}");
            // Element by element too, where the gradient is not tiny.
            var big = expected.abs() > 1e-3 * scale;
            var relative = ((actual - expected).abs() / expected.abs())[big].max().item<float>();
            Assert.That(relative, Is.LessThanOrEqualTo(1e-5), $"seed {seed}: worst element-wise relative error");
        }
    }

    [Test]
    public void FusedFocal_WithoutGradients_ReturnsThePlainValue()
    {
        using var scope = NewDisposeScope();
        var (yTrue, yPred) = Batch(7);
        var value = new Focal().call(yTrue, yPred);
        Assert.That(value.requires_grad, Is.False);
        Assert.That(value.item<float>(), Is.EqualTo(Composed(yTrue, yPred, 0.25, 2, 0.5).item<float>()));
    }
}
