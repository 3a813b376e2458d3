using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Layers;
using RetinaNet.Layers.TorchVision;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers.TorchVision;

/// <summary>
/// The torchvision layers keep the layer contract (their config rebuilds them through <c>custom_objects</c>) and
/// compute what torchvision's transform does: padding to 32, resizing to its sizes.
/// </summary>
public class TorchVisionLayerTests
{
    static IEnumerable<TestCaseData> Layers()
    {
        TestCaseData Case(string label, Func<Layer> make) => new TestCaseData(make).SetArgDisplayNames(label);
        yield return Case("TorchVisionInput", () => new TorchVisionInput("v2", 600, 1000, 32, 0.1, 0.4, 100, 500, name: "tv_in"));
        yield return Case("TorchVisionResize", () => new TorchVisionResize(600, 1000, name: "tv_resize"));
        yield return Case("TorchVisionCandidates", () => new TorchVisionCandidates(500, 0.2, name: "tv_candidates"));
        yield return Case("TorchVisionRescaleBoxes", () => new TorchVisionRescaleBoxes(name: "tv_rescale"));
    }

    [TestCaseSource(nameof(Layers))]
    public void Config_RoundTripsThroughCustomObjects(Func<Layer> make)
    {
        var layer = make();
        var config = layer.get_config();
        var objects = CustomObjects.WithResNet();
        Assert.That(objects[layer.GetType().Name], Is.EqualTo(layer.GetType()));
        var rebuilt = (Layer)ConfigBinder.FromType(layer.GetType(), JsonNode.Parse(config.ToJsonString())!.AsObject());
        Assert.That(rebuilt.get_config().ToJsonString(), Is.EqualTo(config.ToJsonString()));
    }

    [Test]
    public void TorchVisionInput_PadsBottomAndRightToAMultipleOf32_AndRecordsTheRecipe()
    {
        var layer = new TorchVisionInput("v2", 600, 1000, 32, 0.1, 0.4, 100, 500);
        using var x = ones(1, 33, 64, 3);
        using var y = layer.Apply(x);
        Assert.That(y.shape, Is.EqualTo(new long[] { 1, 64, 64, 3 }));
        Assert.That(y[0, ..33, .., ..].sum().item<float>(), Is.EqualTo(33 * 64 * 3));
        Assert.That(y[0, 33.., .., ..].abs().sum().item<float>(), Is.Zero);
        Assert.That((layer.variant, layer.transform, layer.postprocess), Is.EqualTo((TorchVisionVariant.V2, new TorchVisionTransform(600, 1000),
            new TorchVisionPostprocess(0.1, 0.4, 100, 500))));
    }

    [Test]
    public void TorchVisionResize_GivesTheTransformsSize()
    {
        using var x = rand(1, 90, 140, 3);
        using var y = new TorchVisionResize(128, 200).Apply(x);
        var (_, h, w) = new TorchVisionTransform(128, 200).ResizedSize(90, 140);
        Assert.That(y.shape, Is.EqualTo(new long[] { 1, h, w, 3 }));
    }
}
