using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Core.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Training;

public class OptimizerTests
{
    /// <summary>A built Dense(1) on 3 inputs with the given kernel; its kernel is the variable under test.</summary>
    static KerasVariable Kernel(float[] values)
    {
        var dense = new Dense(1, use_bias: false);
        dense.Apply(zeros(1, values.Length)).Dispose();
        dense.set_weights(new[] { tensor(values).reshape(values.Length, 1) });
        return dense.kernel;
    }

    static void SetGrad(KerasVariable v, float[] g) => v.value.grad = tensor(g).reshape(v.value.shape);

    static float[] Values(KerasVariable v) => v.numpy().data<float>().ToArray();

    static void AssertClose(float[] actual, double[] expected, double tol = 1e-6)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length));
        for (int i = 0; i < expected.Length; i++)
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(tol), $"element {i}");
    }

    static readonly float[] w0 = { 0.5f, -1f, 2f };
    static readonly float[][] grads = { new[] { 0.1f, -0.2f, 0.3f }, new[] { -0.4f, 0.05f, 0.2f } };

    [Test]
    public void Adam_TwoSteps_MatchTensorFlowFormula()
    {
        var v = Kernel(w0);
        var adam = new Adam(learning_rate: 0.01);
        adam.build(new[] { v });
        double b1 = 0.9, b2 = 0.999, eps = 1e-7, lr = 0.01;
        var w = w0.Select(x => (double)x).ToArray();
        var m = new double[3];
        var s = new double[3];
        for (int t = 1; t <= 2; t++)
        {
            SetGrad(v, grads[t - 1]);
            adam.apply_gradients();
            var lr_t = lr * Math.Sqrt(1 - Math.Pow(b2, t)) / (1 - Math.Pow(b1, t));
            for (int i = 0; i < 3; i++)
            {
                double g = grads[t - 1][i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                s[i] = b2 * s[i] + (1 - b2) * g * g;
                w[i] -= lr_t * m[i] / (Math.Sqrt(s[i]) + eps);
            }
            AssertClose(Values(v), w);
        }
        Assert.That(adam.iterations, Is.EqualTo(2));
    }

    [TestCase(0.0, false)]
    [TestCase(0.9, false)]
    [TestCase(0.9, true)]
    public void SGD_TwoSteps_MatchKerasMomentumForm(double momentum, bool nesterov)
    {
        var v = Kernel(w0);
        var sgd = new SGD(learning_rate: 0.1, momentum: momentum, nesterov: nesterov);
        sgd.build(new[] { v });
        double lr = 0.1;
        var w = w0.Select(x => (double)x).ToArray();
        var velocity = new double[3];
        for (int t = 0; t < 2; t++)
        {
            SetGrad(v, grads[t]);
            sgd.apply_gradients();
            for (int i = 0; i < 3; i++)
            {
                double g = grads[t][i];
                velocity[i] = momentum * velocity[i] - lr * g;
                w[i] += momentum == 0 ? -lr * g : nesterov ? momentum * velocity[i] - lr * g : velocity[i];
            }
            AssertClose(Values(v), w);
        }
        Assert.That(sgd.weight_names, Is.EqualTo(momentum > 0
            ? new[] { "SGD/iter:0", $"SGD/{v.name[..^2]}/momentum:0" }
            : new[] { "SGD/iter:0" }));
    }

    [Test]
    public void Clipnorm_ClipsEachVariableToItsOwnNorm()
    {
        var big = Kernel(new[] { 0f, 0f });
        var small = Kernel(new[] { 0f, 0f });
        var sgd = new SGD(learning_rate: 1, clipnorm: 1);
        sgd.build(new[] { big, small });
        SetGrad(big, new[] { 3f, 4f });      // norm 5 → scaled to norm 1: (0.6, 0.8)
        SetGrad(small, new[] { 0.3f, 0.4f }); // norm 0.5 → unchanged (a global clip would have scaled it)
        sgd.apply_gradients();
        AssertClose(Values(big), new[] { -0.6, -0.8 });
        AssertClose(Values(small), new[] { -0.3, -0.4 });
    }

    [Test]
    public void Clipvalue_ClipsEachElement()
    {
        var v = Kernel(new[] { 0f, 0f, 0f });
        var sgd = new SGD(learning_rate: 1, clipvalue: 1);
        sgd.build(new[] { v });
        SetGrad(v, new[] { -2f, 0.5f, 3f });
        sgd.apply_gradients();
        AssertClose(Values(v), new[] { 1.0, -0.5, -1.0 });
    }

    [Test]
    public void GetWeights_UsesKerasNamesOrderAndLayout_AndRoundTrips()
    {
        var conv = new Conv2D(2, 1, name: "conv");
        conv.Apply(zeros(1, 2, 2, 3)).Dispose();
        var adam = new Adam();
        adam.build(conv.trainable_weights);
        using var kernelGrad = randn(2, 3, 1, 1); // native (out, in, kh, kw)
        conv.kernel.value.grad = kernelGrad.clone();
        conv.bias!.value.grad = ones(2);
        adam.apply_gradients();

        Assert.That(adam.weight_names, Is.EqualTo(new[]
        {
            "Adam/iter:0", "Adam/conv/kernel/m:0", "Adam/conv/bias/m:0", "Adam/conv/kernel/v:0", "Adam/conv/bias/v:0",
        }));
        var state = adam.get_weights();
        Assert.That(state[0].item<long>(), Is.EqualTo(1));
        Assert.That(state[1].shape, Is.EqualTo(new long[] { 1, 1, 3, 2 }));
        // After one step m = (1 - β₁)·g; the Keras-layout slot holds kernel element (i, o) at [0, 0, i, o].
        for (int i = 0; i < 3; i++)
        for (int o = 0; o < 2; o++)
            Assert.That(state[1][0, 0, i, o].item<float>(), Is.EqualTo(0.1 * kernelGrad[o, i, 0, 0].item<float>()).Within(1e-6));

        var restored = new Adam();
        restored.build(conv.trainable_weights);
        restored.set_weights(state);
        var again = restored.get_weights();
        Assert.That(restored.weight_names, Is.EqualTo(adam.weight_names));
        Assert.That(restored.iterations, Is.EqualTo(1));
        for (int i = 1; i < state.Count; i++) Assert.That(again[i].eq(state[i]).all().item<bool>(), Is.True, adam.weight_names[i]);
        Assert.Throws<ArgumentException>(() => restored.set_weights(state.Take(3).ToList()));
    }

    [Test]
    public void Config_HasKeras2Keys_AndOldLrKeyIsRead()
    {
        var config = new Adam(learning_rate: 1e-5, clipnorm: 0.001).get_config();
        Assert.That(config.Select(kv => kv.Key), Is.EquivalentTo(new[]
            { "name", "clipnorm", "learning_rate", "decay", "beta_1", "beta_2", "epsilon", "amsgrad" }));
        Assert.That(config["clipnorm"]!.GetValue<double>(), Is.EqualTo(0.001));
        Assert.That(new SGD().get_config().Select(kv => kv.Key), Is.EquivalentTo(new[]
            { "name", "learning_rate", "decay", "momentum", "nesterov" }));

        // Keras 2.2 (keras-retinanet snapshots) saved "lr" instead of "learning_rate".
        var old = JsonNode.Parse("""{"class_name": "Adam", "config": {"lr": 1e-05, "beta_1": 0.9, "beta_2": 0.999, "decay": 0.0, "amsgrad": false, "clipnorm": 0.001, "epsilon": 1e-07}}""")!;
        var adam = (Adam)KerasObjects.Deserialize<Optimizer>(old, "optimizer");
        Assert.That(adam.learning_rate, Is.EqualTo(1e-5));
        Assert.That(adam.clipnorm, Is.EqualTo(0.001));
    }
}
