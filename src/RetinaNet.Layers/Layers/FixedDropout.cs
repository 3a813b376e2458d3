using RetinaNet.Core;
using RetinaNet.Core.Layers;

namespace RetinaNet.Layers;

/// <summary>
/// The efficientnet package's <c>FixedDropout</c>: Keras' <c>Dropout</c> whose <c>noise_shape</c> may hold
/// <c>None</c> entries (filled from the input's run-time shape), saved under its own class name. EfficientNets use it
/// as drop-connect on the residual branch (<c>noise_shape=(None, 1, 1, 1)</c>: one draw per sample); it is the
/// identity outside training. Loading Python EfficientNet models needs it in <c>custom_objects</c>.
/// </summary>
public class FixedDropout : Dropout
{
    /// <summary>Creates the layer (Keras' Dropout arguments).</summary>
    public FixedDropout(double rate, Shape? noise_shape = null, int? seed = null,
        string? name = null, bool trainable = true, string dtype = "float32")
        : base(rate, noise_shape, seed, name, trainable, dtype) { }
}
