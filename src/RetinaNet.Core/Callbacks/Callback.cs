namespace RetinaNet.Core;

/// <summary>
/// Keras' callback: hooks that <c>fit</c> calls at the start and end of training, of each epoch and of each batch.
/// Logs are the metrics so far, by Keras key (<c>loss</c>, <c>regression_loss</c>, <c>val_loss</c>, …); they are
/// one shared dictionary per event, so a callback may add entries (ReduceLROnPlateau adds <c>lr</c>) that later
/// callbacks, History included, see.
/// </summary>
public abstract class Callback
{
    Model? _model;

    /// <summary>The model being trained (set by <c>fit</c>, Keras' <c>set_model</c>).</summary>
    public Model model
    {
        get => _model ?? throw new InvalidOperationException($"{GetType().Name} is not attached to a model; fit attaches its callbacks.");
        set => _model = value;
    }

    /// <summary>The arguments of the current <c>fit</c> call (Keras' <c>params</c>).</summary>
    public FitParams fit_params { get; set; } = new(1, null, 0);

    /// <summary>Where messages go (Console by default; a CLI may redirect them).</summary>
    public Action<string> print_fn { get; set; } = Console.WriteLine;

    /// <summary>Called once before the first epoch.</summary>
    public virtual void on_train_begin(Dictionary<string, double> logs) { }

    /// <summary>Called once after the last epoch, with the last epoch's logs.</summary>
    public virtual void on_train_end(Dictionary<string, double> logs) { }

    /// <summary>Called at the start of an epoch (0-based, counting from <c>initial_epoch</c>'s origin).</summary>
    public virtual void on_epoch_begin(int epoch, Dictionary<string, double> logs) { }

    /// <summary>Called at the end of an epoch with its mean training losses and the validation losses.</summary>
    public virtual void on_epoch_end(int epoch, Dictionary<string, double> logs) { }

    /// <summary>Called before a training batch (0-based within the epoch).</summary>
    public virtual void on_train_batch_begin(int batch, Dictionary<string, double> logs) { }

    /// <summary>Called after a training batch with the running means of the epoch so far (as tf.keras reports them).</summary>
    public virtual void on_train_batch_end(int batch, Dictionary<string, double> logs) { }
}

/// <summary>What <c>fit</c> was asked to do (Keras' callback <c>params</c>).</summary>
/// <param name="epochs">Index one past the last epoch.</param>
/// <param name="steps">Batches per epoch.</param>
/// <param name="verbose">Verbosity given to <c>fit</c>.</param>
public sealed record FitParams(int epochs, int? steps, int verbose);
