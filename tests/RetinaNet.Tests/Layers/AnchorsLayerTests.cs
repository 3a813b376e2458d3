using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Layers.Utils;
using static TorchSharp.torch;
using RetinaNet.Layers;

namespace RetinaNet.Tests.Layers;

public class AnchorsLayerTests
{
    [Test]
    public void Output_ForTwoByThreeFeatureMap_FollowsCellThenAnchorOrder()
    {
        var layer = new Anchors(size: 32, stride: 8);
        using var features = zeros(2, 2, 3, 5);
        using var output = layer.Apply(features);
        Assert.That(output.shape, Is.EqualTo(new long[] { 2, 2 * 3 * 9, 4 }));
        Assert.That(output.dtype, Is.EqualTo(ScalarType.Float32));

        var ratios = AnchorConfig.Default.ratios_as_double();
        var scales = AnchorConfig.Default.scales_as_double();
        var values = output.data<float>().ToArray();
        for (int b = 0; b < 2; b++)
        for (int y = 0; y < 2; y++)
        for (int x = 0; x < 3; x++)
        for (int a = 0; a < 9; a++)
        {
            // Anchor a = ratio index a / 3, scale index a % 3; area (32·scale)², w = sqrt(area / ratio), h = w·ratio.
            double ratio = ratios[a / 3], side = 32 * scales[a % 3];
            double w = Math.Sqrt(side * side / ratio), h = w * ratio;
            double cx = (x + 0.5) * 8, cy = (y + 0.5) * 8;
            var expected = new[] { cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2 };
            int row = b * 54 + ((y * 3) + x) * 9 + a;
            Assert.That(values.Skip(row * 4).Take(4).Select(v => (double)v), Is.EqualTo(expected).Within(1e-4), $"b={b} y={y} x={x} a={a}");
        }
    }

    [Test]
    public void RepeatedAndInterleavedShapes_GiveTheSameAnchors_AndOutputsAreIndependentHandles()
    {
        // Anchors are computed once per feature-map size; a call's output may be disposed without harming later calls,
        // and cycling through more sizes than are cached recomputes the evicted ones correctly.
        var layer = new Anchors(size: 32, stride: 8);
        Tensor Fresh(long h, long w) { using var f = zeros(1, h, w, 2); return new Anchors(size: 32, stride: 8).Apply(f); }
        for (int round = 0; round < 2; round++)
            for (long h = 1; h <= 10; h++)
            {
                using var features = zeros(2, h, h + 1, 2);
                var first = layer.Apply(features);
                first.Dispose();
                using var second = layer.Apply(features);
                using var expected = Fresh(h, h + 1);
                Assert.That(second.shape, Is.EqualTo(new long[] { 2, h * (h + 1) * 9, 4 }));
                Assert.That(second[1].allclose(expected[0], rtol: 0, atol: 0), Is.True, $"round {round}, {h}x{h + 1}");
            }
    }

    [Test]
    public void ComputeOutputShape_KnownAndUnknownSizes()
    {
        var layer = new Anchors(64, 16, ratios: new[] { 1.0 }, scales: new[] { 1.0, 2.0 });
        Assert.That(layer.num_anchors, Is.EqualTo(2));
        Assert.That(layer.compute_output_shape(new Shape(null, 4, 5, 256)).Single(), Is.EqualTo(new Shape(null, 40, 4)));
        Assert.That(layer.compute_output_shape(new Shape(null, null, null, 256)).Single(), Is.EqualTo(new Shape(null, null, 4)));
        Assert.That(layer.compute_output_shape(new Shape(3, 4, null, 256)).Single(), Is.EqualTo(new Shape(3, null, 4)));
    }

    [Test]
    public void BaseAnchors_AreAConstantNotAWeight()
    {
        var layer = new Anchors(32, 8);
        using var features = zeros(1, 1, 1, 1);
        using var output = layer.Apply(features);
        Assert.That(layer.weights, Is.Empty);
        using var anchors = layer.anchors;
        Assert.That(output.squeeze(0).allclose(anchors + 4), Is.True);
    }

    [Test]
    public void Config_HasKerasKeys_AndRoundTrips()
    {
        var layer = new Anchors(128, 32, ratios: new[] { 0.5, 1, 2, 3 }, scales: new[] { 1, 1.2, 1.6 }, name: "anchors_2");
        var config = layer.get_config();
        Assert.That(config["size"]!.GetValue<int>(), Is.EqualTo(128));
        Assert.That(config["stride"]!.GetValue<int>(), Is.EqualTo(32));
        Assert.That(config["ratios"]!.AsArray().Select(v => v!.GetValue<double>()), Is.EqualTo(new[] { 0.5, 1, 2, 3 }));
        Assert.That(config["scales"]!.AsArray().Select(v => v!.GetValue<double>()), Is.EqualTo(new[] { 1, 1.2, 1.6 }));

        // Through JSON text, as configs come from .h5 files.
        var copy = (Anchors)ConfigBinder.FromType(typeof(Anchors), JsonNode.Parse(config.ToJsonString())!.AsObject());
        Assert.That(copy.name, Is.EqualTo("anchors_2"));
        using var a = layer.anchors;
        using var b = copy.anchors;
        Assert.That(b.eq(a).all().item<bool>(), Is.True);
    }

    [Test]
    public void DefaultConfig_StoresTheFloat32DefaultValues()
    {
        var config = new Anchors(32, 8).get_config();
        Assert.That(config["scales"]!.AsArray().Select(v => v!.GetValue<double>()),
            Is.EqualTo(new[] { 1.0, (double)(float)Math.Pow(2, 1.0 / 3), (double)(float)Math.Pow(2, 2.0 / 3) }));
    }
}
