using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// A Keras loss object: <c>call(y_true, y_pred)</c> returns the loss, reduced to a scalar; it has a name and a
/// config so a compiled model can be saved and restored. Custom losses subclass this.
/// </summary>
public abstract class Loss
{
    /// <summary>Creates a loss with a name (defaults to the snake_case class name).</summary>
    protected Loss(string? name = null) => this.name = name ?? LayerNames.ToSnakeCase(GetType().Name);

    /// <summary>The name Keras saves (e.g. <c>mean_squared_error</c>).</summary>
    public string name { get; }

    /// <summary>The loss for a batch, as a scalar tensor.</summary>
    public abstract Tensor call(Tensor y_true, Tensor y_pred);

    /// <summary>Constructor arguments for saving (the base has <c>name</c>).</summary>
    public virtual JsonObject get_config() => new() { ["name"] = name };
}
