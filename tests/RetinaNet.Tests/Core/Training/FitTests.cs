using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Core.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Training;

/// <summary>A custom layer written the way a user would: y = x · w + b.</summary>
public class MyLinear : Layer
{
    public MyLinear(int units, string? name = null, bool trainable = true, string dtype = "float32")
        : base(name, trainable, dtype) => this.units = units;

    public int units { get; }
    public KerasVariable w { get; private set; } = null!;
    public KerasVariable b { get; private set; } = null!;

    public override void build(Shapes input_shape)
    {
        Shape shape = input_shape;
        w = add_weight("w", new Shape(shape[-1], units), "random_normal");
        b = add_weight("b", new Shape((long?)units), "zeros");
        base.build(input_shape);
    }

    public override Tensors call(Tensors inputs, bool training = false) => ((Tensor)inputs).matmul(w.value) + b.value;

    public override Shapes compute_output_shape(Shapes input_shape) => ((Shape)input_shape).With(-1, units);

    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["units"] = units;
        return config;
    }
}

public class FitTests
{
    /// <summary>y = x · (1, -2, 0.5) + 0.3 on 64 random samples.</summary>
    static (Tensor x, Tensor y) LinearData()
    {
        manual_seed(1);
        var x = randn(64, 3);
        var y = x.matmul(tensor(new float[] { 1f, -2f, 0.5f }).reshape(3, 1)) + 0.3f;
        return (x, y);
    }

    [Test]
    public void Fit_FunctionalDenseModel_LossFalls()
    {
        var (x, y) = LinearData();
        var input = keras.Input(new Shape(3L));
        var model = keras.Model(input, new Dense(1).Apply(input));
        model.compile(new Adam(learning_rate: 0.05), "mse");
        var history = model.fit(x, y, batch_size: 16, epochs: 8, verbose: 0);
        var losses = history.history["loss"];
        Assert.That(losses, Has.Count.EqualTo(8));
        Assert.That(losses[^1], Is.LessThan(losses[0] * 0.5));
        Assert.That(history.epoch, Is.EqualTo(Enumerable.Range(0, 8)));
    }

    [Test]
    public void Fit_CustomLayerInFunctionalModel_LearnsItsWeight()
    {
        var (x, y) = LinearData();
        var input = keras.Input(new Shape(3L));
        var layer = new MyLinear(1);
        var model = keras.Model(input, layer.Apply(input));
        model.compile(new SGD(learning_rate: 0.1), new MeanSquaredError());
        var before = layer.w.numpy();
        var history = model.fit(x, y, batch_size: 16, epochs: 5, verbose: 0);
        Assert.That(history.history["loss"][^1], Is.LessThan(history.history["loss"][0] * 0.5));
        Assert.That(layer.w.numpy().allclose(before), Is.False);
        Assert.That(model.optimizer!.weight_names, Is.EqualTo(new[] { "SGD/iter:0" }));
    }

    [Test]
    public void FrozenLayer_WeightsDoNotChange_AndGetNoOptimizerState()
    {
        var (x, y) = LinearData();
        var input = keras.Input(new Shape(3L));
        var frozen = new Dense(4, name: "frozen_dense", trainable: false);
        var head = new Dense(1, name: "head");
        var model = keras.Model(input, head.Apply(frozen.Apply(input)));
        model.compile(new Adam(learning_rate: 0.05), "mse");
        var frozenBefore = frozen.get_weights();
        var headBefore = head.get_weights();
        model.fit(x, y, batch_size: 16, epochs: 2, verbose: 0);
        for (int i = 0; i < frozenBefore.Count; i++) Assert.That(frozen.get_weights()[i].eq(frozenBefore[i]).all().item<bool>(), Is.True);
        Assert.That(head.get_weights()[0].allclose(headBefore[0]), Is.False);
        Assert.That(model.optimizer!.weight_names.Any(n => n.Contains("frozen_dense")), Is.False);
    }

    [Test]
    public void TwoOutputs_TotalIsWeightedSumOfPerOutputLosses()
    {
        manual_seed(2);
        var input = keras.Input(new Shape(3L));
        var a = new Dense(2, name: "out_a").Apply(input);
        var b = new Dense(1, name: "out_b").Apply(input);
        var model = keras.Model(input, new KerasTensors(a, b));
        model.compile(new SGD(learning_rate: 0.01),
            new Dictionary<string, Loss> { ["out_a"] = new MeanSquaredError(), ["out_b"] = new MeanAbsoluteError() },
            loss_weights: new Dictionary<string, double> { ["out_a"] = 0.5, ["out_b"] = 2.0 });
        var x = randn(4, 3);
        var ya = randn(4, 2);
        var yb = randn(4, 1);

        var pred = model.predict_on_batch(x);
        double mse = 0, mae = 0;
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 2; j++) mse += Math.Pow(pred[0][i, j].item<float>() - ya[i, j].item<float>(), 2) / 8;
            mae += Math.Abs(pred[1][i, 0].item<float>() - yb[i, 0].item<float>()) / 4;
        }
        var logs = model.test_on_batch(x, new Tensors(ya, yb));
        Assert.That(logs.Keys, Is.EqualTo(new[] { "loss", "out_a_loss", "out_b_loss" }));
        Assert.That(logs["out_a_loss"], Is.EqualTo(mse).Within(1e-5));
        Assert.That(logs["out_b_loss"], Is.EqualTo(mae).Within(1e-5));
        Assert.That(logs["loss"], Is.EqualTo(0.5 * mse + 2.0 * mae).Within(1e-5));

        var trained = model.train_on_batch(x, new Tensors(ya, yb));
        Assert.That(trained["loss"], Is.EqualTo(0.5 * trained["out_a_loss"] + 2.0 * trained["out_b_loss"]).Within(1e-5));
        Assert.Throws<ArgumentException>(() => model.compile(new SGD(), new Dictionary<string, Loss> { ["nope"] = new MeanSquaredError() }));
    }

    [Test]
    public void Fit_DoesNotLeakTensorsAcrossSteps()
    {
        var (x, y) = LinearData();
        var batches = new BatchList(Enumerable.Range(0, 4).Select(i => ((Tensors)x.narrow(0, i * 16, 16), (Tensors)y.narrow(0, i * 16, 16))));
        var input = keras.Input(new Shape(3L));
        var model = keras.Model(input, new Dense(1).Apply(input));
        model.compile(new Adam(clipnorm: 1), "mse");
        model.fit(batches, epochs: 1, verbose: 0); // creates the optimizer slots
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        model.fit(batches, epochs: 3, verbose: 0);
        Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(live));
    }

    [Test]
    public void PredictInBatches_EqualsOneBatch_AndEvaluateMatchesTestOnBatch()
    {
        var (x, y) = LinearData();
        var input = keras.Input(new Shape(3L));
        var model = keras.Model(input, new Dense(2, activation: "relu").Apply(input));
        model.compile(new SGD(), "mse");
        Tensor all = model.predict_on_batch(x);
        Tensor batched = model.predict(x, batch_size: 10);
        Assert.That(batched.allclose(all), Is.True);
        var y2 = cat(new[] { y, y }, 1);
        Assert.That(model.evaluate(x, y2, batch_size: 10)["loss"], Is.EqualTo(model.test_on_batch(x, y2)["loss"]).Within(1e-5));
    }

    [Test]
    public void Fit_WithValidation_LogsValLoss_AndStartsAtInitialEpoch()
    {
        var (x, y) = LinearData();
        var input = keras.Input(new Shape(3L));
        var model = keras.Model(input, new Dense(1).Apply(input));
        model.compile(new Adam(), "mse");
        var lines = new List<string>();
        var history = model.fit(new TensorDataSource(x, y, batch_size: 32, shuffle: true), epochs: 3, initial_epoch: 1,
            validation_data: new TensorDataSource(x, y, batch_size: 64), callbacks: new[] { new ProgressLogger(lines.Add) });
        Assert.That(history.epoch, Is.EqualTo(new[] { 1, 2 }));
        Assert.That(history.history.Keys, Is.EquivalentTo(new[] { "loss", "val_loss" }));
        Assert.That(lines, Has.Count.EqualTo(2));
        Assert.That(lines[0], Does.StartWith("Epoch 2/3 - ").And.Contain(" - loss: ").And.Contain(" - val_loss: "));
        Assert.That(model.history, Is.SameAs(history));
    }
}
