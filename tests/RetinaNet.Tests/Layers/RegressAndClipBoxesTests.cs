using RetinaNet.Core;
using RetinaNet.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers;

public class RegressAndClipBoxesTests
{
    [Test]
    public void RegressBoxes_AppliesScaledDeltas()
    {
        using var anchors = tensor(new float[] { 0, 0, 10, 20, 100, 50, 104, 52 }, new long[] { 1, 2, 4 });
        using var deltas = tensor(new float[] { 1, -1, 0.5f, 2, 0, 0, 0, 0 }, new long[] { 1, 2, 4 });
        using var boxes = new RegressBoxes().Apply(new Tensors(anchors, deltas)).Single();
        // x1 = 0 + 1·0.2·10, y1 = 0 - 1·0.2·20, x2 = 10 + 0.5·0.2·10, y2 = 20 + 2·0.2·20; zero deltas keep the anchor.
        Assert.That(boxes.data<float>().ToArray(), Is.EqualTo(new[] { 2f, -4, 11, 28, 100, 50, 104, 52 }).Within(1e-5));

        var custom = new RegressBoxes(mean: new[] { 0.1, 0, 0, 0 }, std: new[] { 0.5, 0.5, 0.5, 0.5 });
        using var shifted = custom.Apply(new Tensors(anchors, deltas)).Single();
        // x1 = 0 + (1·0.5 + 0.1)·10 = 6; the second anchor's x1 = 100 + 0.1·4.
        Assert.That(shifted[0, 0, 0].item<float>(), Is.EqualTo(6f).Within(1e-5));
        Assert.That(shifted[0, 1, 0].item<float>(), Is.EqualTo(100.4f).Within(1e-4));
    }

    [Test]
    public void RegressBoxes_RejectsWrongStatistics_AndRoundTripsConfig()
    {
        var e = Assert.Throws<ArgumentException>(() => new RegressBoxes(mean: new[] { 0.0 }));
        Assert.That(e!.Message, Does.Contain("Expected mean to be a list of 4 numbers"));
        Assert.Throws<ArgumentException>(() => new RegressBoxes(std: new[] { 0.1, 0.1, 0.1 }));

        var layer = new RegressBoxes(std: new[] { 0.1, 0.1, 0.2, 0.2 }, name: "boxes");
        var config = layer.get_config();
        Assert.That(config["mean"]!.AsArray().Select(v => v!.GetValue<double>()), Is.EqualTo(new[] { 0.0, 0, 0, 0 }));
        var copy = (RegressBoxes)ConfigBinder.FromType(typeof(RegressBoxes), config);
        Assert.That(copy.std, Is.EqualTo(new[] { 0.1, 0.1, 0.2, 0.2 }));
        Assert.That(copy.name, Is.EqualTo("boxes"));
        Assert.That(layer.compute_output_shape(new Shapes(new[] { new Shape(null, null, 4), new Shape(null, null, 4) })).Single(),
            Is.EqualTo(new Shape(null, null, 4)));
    }

    [Test]
    public void ClipBoxes_ClipsToImageWidthAndHeightMinusOne()
    {
        using var image = zeros(2, 20, 30, 3);
        using var boxes = tensor(new float[] { -5, -1, 35, 25, 3, 4, 5, 6, 40, 30, -2, -3 }, new long[] { 1, 3, 4 }).expand(2, 3, 4);
        using var clipped = new ClipBoxes().Apply(new Tensors(image, boxes)).Single();
        var expected = new float[] { 0, 0, 29, 19, 3, 4, 5, 6, 29, 19, 0, 0 };
        Assert.That(clipped.shape, Is.EqualTo(new long[] { 2, 3, 4 }));
        Assert.That(clipped.data<float>().ToArray(), Is.EqualTo(expected.Concat(expected)));
    }
}
