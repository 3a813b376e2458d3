using RetinaNet.Layers.Utils;

namespace RetinaNet.Tests.Layers;

public class AnchorConfigTests
{
    [Test]
    public void Default_MatchesKerasRetinanet()
    {
        var p = AnchorConfig.Default;
        Assert.That(p.sizes, Is.EqualTo(new[] { 32, 64, 128, 256, 512 }));
        Assert.That(p.strides, Is.EqualTo(new[] { 8, 16, 32, 64, 128 }));
        Assert.That(p.ratios, Is.EqualTo(new[] { 0.5f, 1f, 2f }));
        // Stored as float32, like numpy arrays of floatx: 2^(1/3) → 1.2599211, 2^(2/3) → 1.587401.
        Assert.That(p.scales, Is.EqualTo(new[] { 1f, (float)Math.Cbrt(2), (float)Math.Cbrt(4) }));
        Assert.That(p.scales[1], Is.EqualTo(1.2599211f));
        Assert.That(p.num_anchors(), Is.EqualTo(9));
        Assert.That(p.pyramid_levels, Is.EqualTo(new[] { 3, 4, 5, 6, 7 }));
    }

    [Test]
    public void Constructor_RejectsSizesAndStridesOfDifferentLength()
    {
        var e = Assert.Throws<ArgumentException>(() => new AnchorConfig(new[] { 32, 64 }, new[] { 8 }, new[] { 1f }, new[] { 1f }));
        Assert.That(e!.Message, Does.Contain("sizes and strides should have an equal number of values"));
    }
}
