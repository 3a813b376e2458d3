using RetinaNet.Core;
using RetinaNet.Core.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Training;

public class CallbackTests
{
    /// <summary>A compiled one-Dense model and 32 samples of data.</summary>
    static (Model model, Tensor x, Tensor y) Setup(double learning_rate)
    {
        manual_seed(3);
        var input = keras.Input(new Shape(2L));
        var model = keras.Model(input, new Dense(1).Apply(input));
        model.compile(new SGD(learning_rate: learning_rate), "mse");
        return (model, randn(32, 2), randn(32, 1));
    }

    sealed class BatchCounter : Callback
    {
        public int batches;
        public override void on_train_batch_end(int batch, Dictionary<string, double> logs) => batches++;
    }

    [Test]
    public void ReduceLROnPlateau_ReducesAfterPatience_AndLogsLr()
    {
        // A learning rate this small leaves the loss flat (changes far below min_delta): a plateau from epoch 0.
        var (model, x, y) = Setup(1e-12);
        var reduce = new ReduceLROnPlateau(monitor: "loss", factor: 0.1, patience: 2);
        var history = model.fit(x, y, batch_size: 16, epochs: 4, verbose: 0, callbacks: new[] { reduce });
        // Epoch 0 sets the best, epochs 1 and 2 wait; at the end of epoch 2 the rate drops. "lr" is logged before.
        Assert.That(history.history["lr"], Is.EqualTo(new[] { 1e-12, 1e-12, 1e-12, 1e-13 }).Within(1e-20));
        Assert.That(model.optimizer!.learning_rate, Is.EqualTo(1e-13).Within(1e-20));
    }

    [Test]
    public void ReduceLROnPlateau_CooldownAndMinLr()
    {
        var (model, _, _) = Setup(1.0);
        var reduce = new ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 1, cooldown: 2, min_lr: 0.3) { model = model };
        reduce.on_train_begin(new());
        double[] lrs = new double[5];
        for (int epoch = 0; epoch < 5; epoch++)
        {
            reduce.on_epoch_end(epoch, new Dictionary<string, double> { ["val_loss"] = 1.0 });
            lrs[epoch] = model.optimizer!.learning_rate;
        }
        // 0: best; 1: wait 1 → 0.5, cooldown 2; 2: cooling down; 3: cooldown over, wait 1 → max(0.25, min_lr 0.3);
        // 4: cooling down (and the rate is already at min_lr).
        Assert.That(lrs, Is.EqualTo(new[] { 1.0, 0.5, 0.5, 0.3, 0.3 }).Within(1e-12));
    }

    [Test]
    public void EarlyStopping_StopsAfterPatience()
    {
        var (model, x, y) = Setup(1e-12);
        var stop = new EarlyStopping(monitor: "loss", patience: 2, min_delta: 1e-3);
        var history = model.fit(x, y, batch_size: 16, epochs: 10, verbose: 0, callbacks: new[] { stop });
        Assert.That(history.epoch, Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(stop.stopped_epoch, Is.EqualTo(2));
        Assert.That(model.stop_training, Is.True);
    }

    [Test]
    public void EarlyStopping_RestoresBestWeights()
    {
        var (model, _, _) = Setup(0.1);
        var stop = new EarlyStopping(monitor: "val_loss", patience: 1, restore_best_weights: true) { model = model };
        stop.on_train_begin(new());
        var best = model.get_weights();
        stop.on_epoch_end(0, new Dictionary<string, double> { ["val_loss"] = 1.0 });
        model.set_weights(best.Select(w => w + 1).ToList());
        stop.on_epoch_end(1, new Dictionary<string, double> { ["val_loss"] = 2.0 });
        Assert.That(model.stop_training, Is.True);
        var now = model.get_weights();
        for (int i = 0; i < best.Count; i++) Assert.That(now[i].eq(best[i]).all().item<bool>(), Is.True);
    }

    [Test]
    public void TerminateOnNaN_StopsAfterTheFirstNaNBatch()
    {
        var (model, x, y) = Setup(0.1);
        y[0, 0] = float.NaN;
        var counter = new BatchCounter();
        var messages = new List<string>();
        var history = model.fit(x, y, batch_size: 8, epochs: 3, verbose: 0, shuffle: false,
            callbacks: new Callback[] { new TerminateOnNaN { print_fn = messages.Add }, counter });
        Assert.That(counter.batches, Is.EqualTo(1));
        Assert.That(history.epoch, Is.EqualTo(new[] { 0 }));
        Assert.That(double.IsNaN(history.history["loss"][0]), Is.True);
        Assert.That(messages, Is.EqualTo(new[] { "Batch 0: Invalid loss, terminating training" }));
    }
}
