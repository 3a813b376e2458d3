using RetinaNet.Core;
using RetinaNet.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers;

public class PriorProbabilityTests
{
    [Test]
    public void Default_FillsMinusLogOf99()
    {
        using var values = new PriorProbability().call(new long[] { 2, 3 });
        Assert.That(values.shape, Is.EqualTo(new long[] { 2, 3 }));
        Assert.That(values.dtype, Is.EqualTo(ScalarType.Float32));
        Assert.That(values.data<float>().ToArray(), Is.All.EqualTo(-4.59512f).Within(1e-5));
        Assert.That(values.data<float>()[0], Is.EqualTo((float)-Math.Log(0.99 / 0.01)));
        using var probabilities = values.sigmoid();
        Assert.That(probabilities.data<float>().ToArray(), Is.All.EqualTo(0.01f).Within(1e-6));
    }

    [Test]
    public void OtherProbability_AndConfigRoundTrip()
    {
        var init = new PriorProbability(probability: 0.5);
        using var values = init.call(new long[] { 4 });
        Assert.That(values.data<float>().ToArray(), Is.All.EqualTo(0f));
        var serialized = init.serialize();
        Assert.That(serialized["class_name"]!.GetValue<string>(), Is.EqualTo("PriorProbability"));
        Assert.That(serialized["config"]!["probability"]!.GetValue<double>(), Is.EqualTo(0.5));
        var copy = (PriorProbability)ConfigBinder.FromType(typeof(PriorProbability), init.get_config());
        Assert.That(copy.probability, Is.EqualTo(0.5));
    }
}
