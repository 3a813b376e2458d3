using RetinaNet.Core;
using RetinaNet.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers;

public class UpsampleLikeTests
{
    /// <summary>Output (y, x) reads source (floor(y·inH/outH), floor(x·inW/outW)), by integer arithmetic.</summary>
    static void CheckFloorIndexing(long inH, long inW, long outH, long outW)
    {
        long channels = 2;
        using var source = arange(inH * inW * channels, dtype: ScalarType.Float32).reshape(1, inH, inW, channels);
        using var target = zeros(1, outH, outW, 7);
        using var output = new UpsampleLike().Apply(new Tensors(source, target)).Single();
        Assert.That(output.shape, Is.EqualTo(new long[] { 1, outH, outW, channels }));
        var values = output.data<float>().ToArray();
        for (long y = 0; y < outH; y++)
        for (long x = 0; x < outW; x++)
        for (long c = 0; c < channels; c++)
        {
            long sy = y * inH / outH, sx = x * inW / outW;
            float expected = (sy * inW + sx) * channels + c;
            Assert.That(values[(y * outW + x) * channels + c], Is.EqualTo(expected), $"({y}, {x}, {c})");
        }
    }

    [Test]
    public void ThreeToFive_UsesFloorIndexing() => CheckFloorIndexing(3, 3, 5, 5); // rows 0,0,1,1,2

    [Test]
    public void FiveToThree_UsesFloorIndexing() => CheckFloorIndexing(5, 5, 3, 3); // rows 0,1,3

    [Test]
    public void FpnSizes_OddTargets() => CheckFloorIndexing(13, 21, 25, 42);

    [Test]
    public void ThreeToFive_RowsByHand()
    {
        using var source = tensor(new float[] { 10, 20, 30 }, new long[] { 1, 3, 1, 1 });
        using var target = zeros(1, 5, 1, 1);
        using var output = new UpsampleLike().Apply(new Tensors(source, target)).Single();
        Assert.That(output.data<float>().ToArray(), Is.EqualTo(new float[] { 10, 10, 20, 20, 30 }));
    }

    [Test]
    public void ComputeOutputShape_TakesTargetSizeAndSourceChannels()
    {
        var shape = new UpsampleLike().compute_output_shape(new Shapes(new[] { new Shape(null, null, null, 256), new Shape(null, 50, null, 512) }));
        Assert.That(shape.Single(), Is.EqualTo(new Shape(null, 50, null, 256)));
    }
}
