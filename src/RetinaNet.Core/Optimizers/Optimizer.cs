using System.Text.Json.Nodes;

namespace RetinaNet.Core;

/// <summary>Base of Keras optimizers (Adam, SGD); see the concrete classes.</summary>
public abstract class Optimizer
{
    /// <summary>Hyper-parameters for saving.</summary>
    public abstract JsonObject get_config();
}
