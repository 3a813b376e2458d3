using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>
/// Dropout of whole feature maps (Keras <c>SpatialDropout2D</c>): in training each (sample, channel) of an NHWC
/// tensor is kept or zeroed as a whole. Keras 2 saves the config of <see cref="Dropout"/> (rate, noise_shape, seed).
/// </summary>
public class SpatialDropout2D : Dropout
{
    /// <summary>Creates the layer (only channels_last).</summary>
    public SpatialDropout2D(double rate, string? data_format = null, int? seed = null,
        string? name = null, bool trainable = true, string dtype = "float32")
        : base(rate, null, seed, name, trainable, dtype)
    {
        DataFormat.ChannelsLastOnly(data_format, nameof(SpatialDropout2D));
        input_spec = new InputSpec { ndim = 4 };
    }

    /// <inheritdoc/>
    protected override long[] NoiseShape(Tensor x) => new[] { x.shape[0], 1, 1, x.shape[3] };
}
