using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>Applies a Keras activation function by name (Keras <c>Activation</c>), e.g. <c>new Activation("relu")</c>.</summary>
public class Activation : Layer
{
    readonly Func<Tensor, Tensor> function;

    /// <summary>Creates the layer; the name is resolved through <c>custom_objects</c> first, then the built-ins.</summary>
    public Activation(string activation, string? name = null, bool trainable = true, string dtype = "float32")
        : base(name, trainable, dtype)
    {
        this.activation = activation;
        function = Activations.Get(activation);
    }

    /// <summary>The activation's name.</summary>
    public string activation { get; }

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        Tensor x = inputs;
        if (activation == "relu" && Overwritable.Contains(x)) return x.relu_();
        return function(x);
    }

    internal override bool ReturnsOwnMemory => activation != "linear";

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape) => (Shape)input_shape;

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["activation"] = activation;
        return config;
    }
}
