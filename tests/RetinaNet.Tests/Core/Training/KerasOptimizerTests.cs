using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Core.Layers;
using RetinaNet.Tests.Core.Saving;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Training;

/// <summary>
/// RMSprop, Adagrad, Adadelta, Adamax and Nadam: each update checked against the tf.keras optimizer_v2 formula
/// (TensorFlow's fused kernels where Keras uses them) evaluated here in double precision, their Keras 2 configs,
/// and their state saved and restored through a compiled <c>.h5</c> in Keras' names.
/// </summary>
public class KerasOptimizerTests
{
    static readonly float[] w0 = { 0.5f, -1f, 2f };
    static readonly float[][] grads = { new[] { 0.1f, -0.2f, 0.3f }, new[] { -0.4f, 0.05f, 0.2f }, new[] { 0.3f, 0.3f, -0.1f } };

    static KerasVariable Kernel(float[] values)
    {
        var dense = new Dense(1, use_bias: false);
        dense.Apply(zeros(1, values.Length)).Dispose();
        dense.set_weights(new[] { tensor(values).reshape(values.Length, 1) });
        return dense.kernel;
    }

    /// <summary>Applies the three gradients and compares the variable after each step with <paramref name="expected"/>.</summary>
    static void AssertSteps(Optimizer optimizer, Func<int, double, int, double, double> expected)
    {
        var v = Kernel(w0);
        optimizer.build(new[] { v });
        var w = w0.Select(x => (double)x).ToArray();
        for (int t = 1; t <= grads.Length; t++)
        {
            v.value.grad = tensor(grads[t - 1]).reshape(3, 1);
            optimizer.apply_gradients();
            var actual = v.numpy().data<float>().ToArray();
            for (int i = 0; i < 3; i++)
            {
                w[i] = expected(t, grads[t - 1][i], i, w[i]);
                Assert.That(actual[i], Is.EqualTo(w[i]).Within(2e-6), $"step {t}, element {i}");
            }
        }
        Assert.That(optimizer.iterations, Is.EqualTo(grads.Length));
    }

    [TestCase(0.0, false)]
    [TestCase(0.0, true)]
    [TestCase(0.5, false)]
    [TestCase(0.5, true)]
    public void RMSprop_Steps_MatchKerasFormula(double momentum, bool centered)
    {
        double lr = 0.01, rho = 0.9, eps = 1e-7;
        var ms = new double[3];
        var mg = new double[3];
        var mom = new double[3];
        AssertSteps(new RMSprop(learning_rate: lr, momentum: momentum, centered: centered), (t, g, i, w) =>
        {
            ms[i] = rho * ms[i] + (1 - rho) * g * g;
            mg[i] = rho * mg[i] + (1 - rho) * g;
            var denominator = centered ? ms[i] - mg[i] * mg[i] : ms[i];
            if (momentum == 0) return w - lr * g / (Math.Sqrt(denominator) + eps);
            // TensorFlow's ApplyRMSProp/ApplyCenteredRMSProp: ε under the square root.
            mom[i] = momentum * mom[i] + lr * g / Math.Sqrt(denominator + eps);
            return w - mom[i];
        });
    }

    [Test]
    public void Adagrad_Steps_MatchKerasFormula_AccumulatorStartsAtInitialValue()
    {
        double lr = 0.1, eps = 1e-7;
        var accumulator = new double[] { 0.1, 0.1, 0.1 };
        AssertSteps(new Adagrad(learning_rate: lr), (t, g, i, w) =>
        {
            accumulator[i] += g * g;
            return w - lr * g / (Math.Sqrt(accumulator[i]) + eps);
        });
    }

    [Test]
    public void Adadelta_Steps_MatchKerasFormula()
    {
        double lr = 1.0, rho = 0.95, eps = 1e-7;
        var accum = new double[3];
        var accumUpdate = new double[3];
        AssertSteps(new Adadelta(learning_rate: lr), (t, g, i, w) =>
        {
            accum[i] = rho * accum[i] + (1 - rho) * g * g;
            var update = Math.Sqrt(accumUpdate[i] + eps) / Math.Sqrt(accum[i] + eps) * g;
            accumUpdate[i] = rho * accumUpdate[i] + (1 - rho) * update * update;
            return w - lr * update;
        });
    }

    [Test]
    public void Adamax_Steps_MatchKerasFormula()
    {
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-7;
        var m = new double[3];
        var u = new double[3];
        AssertSteps(new Adamax(learning_rate: lr), (t, g, i, w) =>
        {
            m[i] = b1 * m[i] + (1 - b1) * g;
            u[i] = Math.Max(b2 * u[i], Math.Abs(g));
            return w - lr / (1 - Math.Pow(b1, t)) * m[i] / (u[i] + eps);
        });
    }

    [Test]
    public void Nadam_Steps_MatchKerasFormula_WithMomentumSchedule()
    {
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-7, decay = 0.004;
        var m = new double[3];
        var v = new double[3];
        double cache = 1;
        var scheduleAt = new Dictionary<int, double>();
        var nadam = new Nadam(learning_rate: lr);
        AssertSteps(nadam, (t, g, i, w) =>
        {
            double mu(int step) => b1 * (1 - 0.5 * Math.Pow(0.96, decay * step));
            if (!scheduleAt.ContainsKey(t)) scheduleAt[t] = cache *= mu(t);
            var scheduleNew = scheduleAt[t];
            var scheduleNext = scheduleNew * mu(t + 1);
            var gPrime = g / (1 - scheduleNew);
            m[i] = b1 * m[i] + (1 - b1) * g;
            v[i] = b2 * v[i] + (1 - b2) * g * g;
            var mPrime = m[i] / (1 - scheduleNext);
            var vPrime = v[i] / (1 - Math.Pow(b2, t));
            var mBar = (1 - mu(t)) * gPrime + mu(t + 1) * mPrime;
            return w - lr * mBar / (Math.Sqrt(vPrime) + eps);
        });
        Assert.That(nadam.momentum_cache, Is.EqualTo(cache).Within(1e-7));
    }

    [Test]
    public void Nadam_DoesNotDecayTheLearningRate_AndTakesScheduleDecay()
    {
        var nadam = (Nadam)KerasObjects.Deserialize<Optimizer>(JsonNode.Parse(
            """{"class_name": "Nadam", "config": {"name": "Nadam", "learning_rate": 0.002, "decay": 0.004, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07}}""")!, "optimizer");
        Assert.That(nadam.decay, Is.EqualTo(0.004));
        Assert.That(new Nadam(schedule_decay: 0.01).get_config()["decay"]!.GetValue<double>(), Is.EqualTo(0.01));
        // A plain first step: |Δw| does not depend on decay·iterations (it would for Adam with decay).
        var v = Kernel(new[] { 0f });
        nadam.build(new[] { v });
        v.value.grad = tensor(new[] { 1f }).reshape(1, 1);
        nadam.apply_gradients();
        Assert.That(Math.Abs(v.numpy().data<float>()[0]), Is.GreaterThan(0.002));
    }

    /// <summary>tf.keras 2 get_config output for each optimizer with its defaults, as it appears in training_config.</summary>
    static IEnumerable<TestCaseData> KerasConfigs()
    {
        yield return new TestCaseData("RMSprop", """{"name": "RMSprop", "learning_rate": 0.001, "decay": 0.0, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-07, "centered": false}""");
        yield return new TestCaseData("Adagrad", """{"name": "Adagrad", "learning_rate": 0.001, "decay": 0.0, "initial_accumulator_value": 0.1, "epsilon": 1e-07}""");
        yield return new TestCaseData("Adadelta", """{"name": "Adadelta", "learning_rate": 0.001, "decay": 0.0, "rho": 0.95, "epsilon": 1e-07}""");
        yield return new TestCaseData("Adamax", """{"name": "Adamax", "learning_rate": 0.001, "decay": 0.0, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07}""");
        yield return new TestCaseData("Nadam", """{"name": "Nadam", "learning_rate": 0.001, "decay": 0.004, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07}""");
    }

    [TestCaseSource(nameof(KerasConfigs))]
    public void Defaults_WriteKeras2Config_AndKerasConfigBindsBack(string className, string kerasConfig)
    {
        var expected = JsonNode.Parse(kerasConfig)!.AsObject();
        var optimizer = KerasObjects.Deserialize<Optimizer>(new JsonObject { ["class_name"] = className, ["config"] = expected.DeepClone() }, "optimizer");
        Assert.That(optimizer.GetType().Name, Is.EqualTo(className));
        var written = optimizer.get_config();
        Assert.That(written.Select(kv => kv.Key), Is.EqualTo(expected.Select(kv => kv.Key)), "keys in tf.keras order");
        foreach (var (key, value) in expected)
            Assert.That(JsonNode.DeepEquals(written[key], value) || written[key]!.ToJsonString() == value!.ToJsonString()
                        || (value is JsonValue jv && jv.TryGetValue<double>(out var d) && written[key]!.GetValue<double>() == d),
                Is.True, $"{key}: {written[key]} vs {value}");
        // The short string form Keras accepts in compile() ("rmsprop") resolves too.
        Assert.That(KerasObjects.Deserialize<Optimizer>(JsonValue.Create(className.ToLowerInvariant())!, "optimizer").GetType().Name,
            Is.EqualTo(className));
    }

    [Test]
    public void RMSprop_MomentumOutsideUnitRange_IsRejectedWithKerasMessage()
    {
        var error = Assert.Throws<ArgumentException>(() => new RMSprop(momentum: 1.5))!;
        Assert.That(error.Message, Does.StartWith("`momentum` must be between [0, 1]"));
        Assert.Throws<ArgumentException>(() => new Adagrad(initial_accumulator_value: -1));
    }

    static IEnumerable<TestCaseData> Optimizers()
    {
        yield return new TestCaseData(new RMSprop(momentum: 0.9, centered: true), new[] { "rms", "momentum", "mg" }, Array.Empty<string>());
        yield return new TestCaseData(new Adagrad(), new[] { "accumulator" }, Array.Empty<string>());
        yield return new TestCaseData(new Adadelta(), new[] { "accum_grad", "accum_var" }, Array.Empty<string>());
        yield return new TestCaseData(new Adamax(), new[] { "m", "v" }, Array.Empty<string>());
        yield return new TestCaseData(new Nadam(), new[] { "m", "v" }, new[] { "momentum_cache" });
    }

    [TestCaseSource(nameof(Optimizers))]
    public void CompiledModel_SavesStateInKerasNames_AndLoadsBackCompiled(Optimizer optimizer, string[] slots, string[] scalars)
    {
        var input = keras.Input(new Shape(3L));
        var model = keras.Model(input, new Dense(2, name: "dense").Apply(input));
        model.compile(optimizer, "mse");
        manual_seed(3);
        model.fit(randn(8, 3), randn(8, 2), batch_size: 4, epochs: 1, verbose: 0);

        var name = optimizer.name;
        var expectedNames = new[] { $"{name}/iter:0" }.Concat(scalars.Select(s => $"{name}/{s}:0"))
            .Concat(slots.SelectMany(s => new[] { $"{name}/dense/kernel/{s}:0", $"{name}/dense/bias/{s}:0" })).ToArray();
        Assert.That(optimizer.weight_names, Is.EqualTo(expectedNames));

        var path = Path.Combine(Path.GetTempPath(), $"opt-{Guid.NewGuid():N}.h5");
        var again = Path.ChangeExtension(path, ".2.h5");
        try
        {
            model.save(path);
            var reloaded = keras.models.load_model(path);
            Assert.That(reloaded.is_compiled, Is.True);
            Assert.That(reloaded.optimizer!.GetType(), Is.EqualTo(optimizer.GetType()));
            Assert.That(reloaded.optimizer.get_config().ToJsonString(), Is.EqualTo(optimizer.get_config().ToJsonString()));
            Assert.That(reloaded.optimizer.weight_names, Is.EqualTo(expectedNames));
            Assert.That(reloaded.optimizer.iterations, Is.EqualTo(2));
            var before = optimizer.get_weights();
            var after = reloaded.optimizer.get_weights();
            for (int i = 0; i < before.Count; i++)
                Assert.That(TensorCompare.Same(after[i], before[i]), Is.True, expectedNames[i]);
            reloaded.save(again);
            var third = keras.models.load_model(again);
            Assert.That(third.optimizer!.weight_names, Is.EqualTo(expectedNames));
        }
        finally
        {
            File.Delete(path);
            File.Delete(again);
        }
    }
}
