using System.Text.Json.Nodes;

namespace RetinaNet.Core;

/// <summary>
/// What Keras' <c>BinaryCrossentropy</c> and <c>CategoricalCrossentropy</c> share: logits or probabilities, label
/// smoothing, and the axis of the values, each also a key of the saved config.
/// </summary>
public abstract class SmoothedCrossentropy : ReducedLoss
{
    /// <summary>Creates the loss (Keras arguments).</summary>
    protected SmoothedCrossentropy(bool from_logits, double label_smoothing, int axis, string reduction, string name)
        : base(name, reduction)
    {
        this.from_logits = from_logits;
        this.label_smoothing = label_smoothing;
        this.axis = axis;
    }

    /// <summary>Whether predictions are logits rather than probabilities.</summary>
    public bool from_logits { get; }
    /// <summary>Label smoothing factor in [0, 1].</summary>
    public double label_smoothing { get; }
    /// <summary>The axis of the values (averaged for binary, the class axis for categorical).</summary>
    public int axis { get; }

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["from_logits"] = from_logits;
        config["label_smoothing"] = label_smoothing;
        config["axis"] = axis;
        return config;
    }
}
