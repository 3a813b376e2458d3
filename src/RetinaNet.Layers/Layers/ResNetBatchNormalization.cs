using System.Text.Json.Nodes;
using RetinaNet.Core;

namespace RetinaNet.Layers;

/// <summary>
/// keras-resnet's <c>BatchNormalization</c>: Keras' layer plus a <c>freeze</c> flag. A frozen layer is not trainable
/// and always normalises with its moving statistics, even in training (keras-resnet 0.2.0). Saved under Keras' own
/// class name <c>BatchNormalization</c> with the extra config key <c>freeze</c>, which is why loading keras-retinanet
/// ResNet models needs it in <c>custom_objects</c>.
/// </summary>
public class ResNetBatchNormalization : RetinaNet.Core.Layers.BatchNormalization
{
    /// <summary>Creates the layer; the remaining arguments are Keras' BatchNormalization's.</summary>
    public ResNetBatchNormalization(bool freeze, object? axis = null, double momentum = 0.99, double epsilon = 1e-3,
        bool center = true, bool scale = true, object? beta_initializer = null, object? gamma_initializer = null,
        object? moving_mean_initializer = null, object? moving_variance_initializer = null,
        JsonNode? beta_regularizer = null, JsonNode? gamma_regularizer = null, JsonNode? beta_constraint = null,
        JsonNode? gamma_constraint = null, string? name = null, bool? trainable = null, string dtype = "float32")
        : base(axis, momentum, epsilon, center, scale, beta_initializer, gamma_initializer, moving_mean_initializer,
            moving_variance_initializer, beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
            name: name, trainable: trainable ?? !freeze, dtype: dtype)
    {
        this.freeze = freeze;
    }

    /// <summary>Whether the layer is frozen (keras-retinanet builds ResNets with frozen BatchNormalization).</summary>
    public bool freeze { get; }

    /// <inheritdoc/>
    public override string class_name => "BatchNormalization";

    /// <inheritdoc/>
    protected override bool UseBatchStatistics(bool training) => !freeze && base.UseBatchStatistics(training);

    /// <inheritdoc/>
    public override JsonObject get_config()
    {
        var config = base.get_config();
        config["freeze"] = freeze;
        return config;
    }
}
