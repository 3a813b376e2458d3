using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>Keras' training API: <c>compile</c>, <c>fit</c>, <c>train_on_batch</c>, <c>evaluate</c>, <c>predict</c>.</summary>
public partial class Model
{
    /// <summary>Set by a callback to end <c>fit</c> after the current batch (the epoch still ends normally).</summary>
    public bool stop_training { get; set; }

    /// <summary>The History of the last <c>fit</c>.</summary>
    public History? history { get; private set; }

    /// <summary>Configures training with one loss for every output.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="loss">The loss applied to each output.</param>
    /// <param name="loss_weights">Weight of each output's loss in the total, by output name (1 where absent).</param>
    public void compile(Optimizer optimizer, Loss loss, IReadOnlyDictionary<string, double>? loss_weights = null) =>
        compile(optimizer, output_names.Distinct().ToDictionary(n => n, _ => loss), loss_weights);

    /// <summary>Configures training with a loss given by Keras name (<c>"mse"</c>, <c>"binary_crossentropy"</c>, or a custom object's name).</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="loss">The loss' name.</param>
    /// <param name="loss_weights">Weight of each output's loss in the total, by output name (1 where absent).</param>
    public void compile(Optimizer optimizer, string loss, IReadOnlyDictionary<string, double>? loss_weights = null) =>
        compile(optimizer, KerasObjects.Deserialize<Loss>(JsonValue.Create(loss), "loss function", $"compile of model '{name}'"), loss_weights);

    /// <summary>
    /// Configures training with a loss per output name (keras-retinanet: <c>{"regression": smooth_l1, "classification": focal}</c>).
    /// Outputs missing from the dictionary are not trained against (Keras assumes that is on purpose).
    /// </summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="loss">Loss by output name.</param>
    /// <param name="loss_weights">Weight of each output's loss in the total, by output name (1 where absent).</param>
    public void compile(Optimizer optimizer, IReadOnlyDictionary<string, Loss> loss, IReadOnlyDictionary<string, double>? loss_weights = null)
    {
        CheckKeys(loss.Keys, "loss");
        if (loss_weights is not null) CheckKeys(loss_weights.Keys, "loss_weights");
        if (loss.Count == 0) throw new ArgumentException($"compile of model '{name}' received no loss.");
        this.optimizer = optimizer;
        losses = new Dictionary<string, Loss>(loss);
        this.loss_weights = loss.Keys.ToDictionary(k => k, k => loss_weights?.GetValueOrDefault(k, 1.0) ?? 1.0);
    }

    void CheckKeys(IEnumerable<string> keys, string what)
    {
        var unknown = keys.Where(k => !output_names.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException(
                $"Unknown entries in {what} dictionary: [{string.Join(", ", unknown.Select(k => $"'{k}'"))}]. " +
                $"Only expected following keys: [{string.Join(", ", output_names.Select(k => $"'{k}'"))}]");
    }

    Optimizer CompiledOptimizer() => optimizer ?? throw new InvalidOperationException(
        $"You must compile model '{name}' before training/testing. Use `model.compile(optimizer, loss)`.");

    /// <summary>
    /// One gradient step on one batch: forward in training mode, loss, gradients of the trainable weights only,
    /// optimizer update. Returns the batch's <c>loss</c> and, for several outputs, each <c>&lt;output&gt;_loss</c>.
    /// </summary>
    /// <param name="x">The inputs, in <see cref="input_names"/> order.</param>
    /// <param name="y">The targets, in <see cref="output_names"/> order (or only those of the outputs that have a loss).</param>
    public Dictionary<string, double> train_on_batch(Tensors x, Tensors y)
    {
        var optimizer = CompiledOptimizer();
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var trainable = trainable_weights;
        if (trainable.Count == 0)
            throw new InvalidOperationException(
                $"Model '{name}' has no trainable weights (is every layer frozen?), so there is nothing to train.");
        optimizer.build(trainable);
        ClearGradients();
        var y_pred = call(DeviceOf.To(x, device), training: true);
        var (total, parts) = CompiledLoss.Compute(this, DeviceOf.To(y, device), y_pred);
        total.backward();
        optimizer.apply_gradients();
        ClearGradients();
        return Logs(total, parts);
    }

    /// <summary>The losses of one batch in inference mode, without updating anything (same keys as <see cref="train_on_batch"/>).</summary>
    /// <param name="x">The inputs.</param>
    /// <param name="y">The targets.</param>
    public Dictionary<string, double> test_on_batch(Tensors x, Tensors y)
    {
        CompiledOptimizer();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var y_pred = call(DeviceOf.To(x, device), training: false);
        var (total, parts) = CompiledLoss.Compute(this, DeviceOf.To(y, device), y_pred);
        return Logs(total, parts);
    }

    static Dictionary<string, double> Logs(Tensor total, List<(string key, Tensor value)> parts)
    {
        var logs = new Dictionary<string, double> { ["loss"] = total.item<float>() };
        foreach (var (key, value) in parts) logs[key] = value.item<float>();
        return logs;
    }

    /// <summary>Frees every weight's gradient, so no step sees a stale one (e.g. of a layer frozen since).</summary>
    void ClearGradients()
    {
        foreach (var w in weights)
            if (w.value.grad is not null) w.value.grad = null;
    }

    /// <summary>
    /// Trains for <paramref name="epochs"/> epochs (Keras' <c>fit</c> / <c>fit_generator</c>). Epoch logs are the means
    /// over the epoch's batches (weighted by batch size), plus <c>val_</c>-prefixed losses when
    /// <paramref name="validation_data"/> is given. Every step runs in its own dispose scope.
    /// </summary>
    /// <param name="data">Training batches.</param>
    /// <param name="epochs">Index one past the last epoch (training runs epochs <paramref name="initial_epoch"/> … epochs-1).</param>
    /// <param name="steps_per_epoch">Batches per epoch; by default one pass over <paramref name="data"/>.</param>
    /// <param name="initial_epoch">Epoch to start at (to resume training).</param>
    /// <param name="callbacks">Callbacks; a History is always added and returned.</param>
    /// <param name="validation_data">Batches to compute validation losses on after each epoch.</param>
    /// <param name="validation_steps">Validation batches; by default one pass over <paramref name="validation_data"/>.</param>
    /// <param name="verbose">0 prints nothing; otherwise a <see cref="ProgressLogger"/> is added unless one is given.</param>
    public History fit(IDataSource data, int epochs = 1, int? steps_per_epoch = null, int initial_epoch = 0,
        IEnumerable<Callback>? callbacks = null, IDataSource? validation_data = null, int? validation_steps = null,
        int verbose = 1)
    {
        CompiledOptimizer();
        if (data.Count <= 0) throw new ArgumentException("The training data has no batches.");
        var steps = steps_per_epoch ?? data.Count;
        if (steps <= 0) throw new ArgumentException($"steps_per_epoch must be positive, received {steps}.");
        var list = new CallbackList(callbacks, this, new FitParams(epochs, steps, verbose));
        history = list.history;
        stop_training = false;
        var cursor = new DataCursor(data);
        var logs = new Dictionary<string, double>();
        list.on_train_begin(logs);
        for (int epoch = initial_epoch; epoch < epochs; epoch++)
        {
            list.on_epoch_begin(epoch, new Dictionary<string, double>());
            var means = new MeanLogs();
            for (int step = 0; step < steps; step++)
            {
                list.on_train_batch_begin(step, new Dictionary<string, double>());
                using (var scope = NewDisposeScope())
                {
                    var (x, y) = cursor.Current;
                    means.Add(train_on_batch(x, y), BatchSize(x));
                }
                cursor.Advance();
                list.on_train_batch_end(step, means.Result());
                if (stop_training) break;
            }
            logs = means.Result();
            if (validation_data is not null)
                foreach (var (key, value) in evaluate(validation_data, validation_steps)) logs["val_" + key] = value;
            list.on_epoch_end(epoch, logs);
            if (stop_training) break;
        }
        list.on_train_end(logs);
        return list.history;
    }

    /// <summary>
    /// Trains on in-memory tensors cut into batches of <paramref name="batch_size"/>, reshuffled every epoch when
    /// <paramref name="shuffle"/> (Keras' <c>fit(x, y, …)</c>). See <see cref="fit(IDataSource, int, int?, int, IEnumerable{Callback}?, IDataSource?, int?, int)"/>.
    /// </summary>
    /// <param name="x">Inputs, first axis = samples.</param>
    /// <param name="y">Targets, first axis = samples.</param>
    /// <param name="batch_size">Samples per batch.</param>
    /// <param name="epochs">Index one past the last epoch.</param>
    /// <param name="verbose">0 prints nothing.</param>
    /// <param name="callbacks">Callbacks.</param>
    /// <param name="validation_data">Validation batches (e.g. a <see cref="TensorDataSource"/>).</param>
    /// <param name="shuffle">Whether to reshuffle the samples each epoch.</param>
    /// <param name="initial_epoch">Epoch to start at.</param>
    /// <param name="steps_per_epoch">Batches per epoch; by default one pass.</param>
    /// <param name="validation_steps">Validation batches; by default one pass.</param>
    public History fit(Tensors x, Tensors y, int batch_size = 32, int epochs = 1, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, IDataSource? validation_data = null, bool shuffle = true,
        int initial_epoch = 0, int? steps_per_epoch = null, int? validation_steps = null) =>
        fit(new TensorDataSource(x, y, batch_size, shuffle), epochs, steps_per_epoch, initial_epoch, callbacks,
            validation_data, validation_steps, verbose);

    /// <summary>Mean losses over <paramref name="steps"/> batches (by default one pass), in inference mode.</summary>
    /// <param name="data">Batches with targets.</param>
    /// <param name="steps">Batches to use.</param>
    public Dictionary<string, double> evaluate(IDataSource data, int? steps = null)
    {
        var count = steps ?? data.Count;
        if (count <= 0) throw new ArgumentException("The evaluation data has no batches.");
        var cursor = new DataCursor(data);
        var means = new MeanLogs();
        for (int step = 0; step < count; step++)
        {
            using (var scope = NewDisposeScope())
            {
                var (x, y) = cursor.Current;
                means.Add(test_on_batch(x, y), BatchSize(x));
            }
            cursor.Advance();
        }
        return means.Result();
    }

    /// <summary>Mean losses over in-memory tensors, in batches of <paramref name="batch_size"/>.</summary>
    /// <param name="x">Inputs.</param>
    /// <param name="y">Targets.</param>
    /// <param name="batch_size">Samples per batch.</param>
    public Dictionary<string, double> evaluate(Tensors x, Tensors y, int batch_size = 32) =>
        evaluate(new TensorDataSource(x, y, batch_size));

    /// <summary>
    /// The model's outputs for one batch in inference mode (no gradients, <c>training=false</c>), detached and on the
    /// CPU, as Keras returns NumPy arrays.
    /// </summary>
    /// <param name="x">The inputs, in <see cref="input_names"/> order.</param>
    public Tensors predict_on_batch(Tensors x)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var outputs = call(DeviceOf.To(x, device), training: false);
        var result = outputs.Select(t => t.detach().cpu().MoveToOuterDisposeScope()).ToArray();
        return outputs.IsList ? new Tensors(result) : result[0];
    }

    /// <summary>The outputs for every sample of <paramref name="x"/>, computed in batches, concatenated on the CPU.</summary>
    /// <param name="x">Inputs, first axis = samples.</param>
    /// <param name="batch_size">Samples per batch.</param>
    public Tensors predict(Tensors x, int batch_size = 32)
    {
        var source = new TensorDataSource(x, null, batch_size);
        var pieces = new List<Tensors>();
        for (int i = 0; i < source.Count; i++)
            using (var scope = NewDisposeScope())
                pieces.Add(predict_on_batch(source[i].x).MoveToOuterDisposeScope());
        var joined = Enumerable.Range(0, outputs.Count).Select(o => cat(pieces.Select(p => p[o]).ToArray(), 0)).ToArray();
        foreach (var t in pieces.SelectMany(p => p)) t.Dispose();
        return outputs.IsList ? new Tensors(joined) : joined[0];
    }

    static long BatchSize(Tensors x) => x.Count > 0 && x[0].dim() > 0 ? x[0].shape[0] : 1;
}
