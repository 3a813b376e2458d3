using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Core.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Layers;

/// <summary>
/// BatchNormalization is open for subclasses such as keras-resnet's frozen one: a <c>freeze</c> config key that
/// forces inference mode, even if the layer is later made trainable again.
/// </summary>
public class BatchNormalizationSubclassTests
{
    sealed class FrozenBatchNormalization : BatchNormalization
    {
        public FrozenBatchNormalization(bool freeze, object? axis = null, double epsilon = 1e-3, string? name = null)
            : base(axis: axis, epsilon: epsilon, name: name, trainable: !freeze) => this.freeze = freeze;

        public bool freeze { get; }

        protected override bool UseBatchStatistics(bool training) => !freeze && base.UseBatchStatistics(training);

        public override JsonObject get_config()
        {
            var config = base.get_config();
            config["freeze"] = freeze;
            return config;
        }
    }

    [Test]
    public void FrozenSubclass_StaysInInferenceMode_AndRoundTripsFreeze()
    {
        var bn = new FrozenBatchNormalization(freeze: true, axis: 3, epsilon: 1e-5, name: "bn_conv1");
        using var x = randn(4, 2, 2, 3) * 3 + 2;
        bn.Apply(x).Dispose();
        bn.trainable = true;
        using var y = bn.Apply(x, training: true);
        // Fresh moving statistics are mean 0, variance 1: inference mode is x / sqrt(1 + eps).
        Assert.That(TensorValues.Of(y), Is.EqualTo(TensorValues.Of(x).Select(v => (float)(v / Math.Sqrt(1 + 1e-5))).ToArray()).Within(1e-5));
        Assert.That(TensorValues.Of(bn.moving_mean.numpy()), Is.All.EqualTo(0f));

        var saved = JsonNode.Parse(bn.get_config().ToJsonString())!.AsObject();
        var rebuilt = (FrozenBatchNormalization)ConfigBinder.FromType(typeof(FrozenBatchNormalization), saved);
        Assert.That(rebuilt.freeze, Is.True);
        Assert.That(rebuilt.epsilon, Is.EqualTo(1e-5));
        Assert.That(rebuilt.axis, Is.EqualTo(new[] { 3 }));
    }
}
