namespace RetinaNet.Core;

/// <summary>
/// The callbacks of one <c>fit</c>, in Keras' order: the progress display first (the default one unless one was
/// given), then the user's, then <see cref="History"/> last so it records what the others add to the logs.
/// </summary>
internal sealed class CallbackList
{
    readonly List<Callback> callbacks;

    public CallbackList(IEnumerable<Callback>? given, Model model, FitParams fit_params)
    {
        callbacks = given?.ToList() ?? new List<Callback>();
        if (fit_params.verbose != 0 && !callbacks.OfType<ProgressLogger>().Any()) callbacks.Insert(0, new ProgressLogger());
        history = new History();
        callbacks.Add(history);
        foreach (var c in callbacks)
        {
            c.model = model;
            c.fit_params = fit_params;
        }
    }

    /// <summary>The History this fit returns.</summary>
    public History history { get; }

    public void on_train_begin(Dictionary<string, double> logs) => Each(c => c.on_train_begin(logs));
    public void on_train_end(Dictionary<string, double> logs) => Each(c => c.on_train_end(logs));
    public void on_epoch_begin(int epoch, Dictionary<string, double> logs) => Each(c => c.on_epoch_begin(epoch, logs));
    public void on_epoch_end(int epoch, Dictionary<string, double> logs) => Each(c => c.on_epoch_end(epoch, logs));
    public void on_train_batch_begin(int batch, Dictionary<string, double> logs) => Each(c => c.on_train_batch_begin(batch, logs));
    public void on_train_batch_end(int batch, Dictionary<string, double> logs) => Each(c => c.on_train_batch_end(batch, logs));

    /// <summary>
    /// Calls every callback inside its own dispose scope: what a callback computes with tensors (a snapshot's weight
    /// read-back, an evaluation) stays referenced until the call ends, so the finalizer cannot free a temporary while
    /// libtorch still uses it (TorchSharp#1434), and nothing waits for the finalizer afterwards. A callback that keeps
    /// a tensor beyond its call detaches it (<c>DetachFromDisposeScope</c>).
    /// </summary>
    void Each(Action<Callback> call)
    {
        foreach (var c in callbacks)
            using (TorchSharp.torch.NewDisposeScope())
                call(c);
    }
}
