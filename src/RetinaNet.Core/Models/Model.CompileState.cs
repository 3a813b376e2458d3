namespace RetinaNet.Core;

public partial class Model
{
    /// <summary>The optimizer given to <c>compile</c>, or null if the model is not compiled.</summary>
    public Optimizer? optimizer { get; protected set; }

    /// <summary>Loss per output name, as given to <c>compile</c> (empty if not compiled).</summary>
    public IReadOnlyDictionary<string, Loss> losses { get; protected set; } = new Dictionary<string, Loss>();

    /// <summary>Weight of each output's loss in the total (1 where not given).</summary>
    public IReadOnlyDictionary<string, double> loss_weights { get; protected set; } = new Dictionary<string, double>();

    /// <summary>True after <c>compile</c>.</summary>
    public bool is_compiled => optimizer is not null;
}
