using RetinaNet.Core;
using static TorchSharp.torch;

namespace RetinaNet.Layers;

/// <summary>
/// Resizes <c>source</c> to the height and width of <c>target</c> by nearest neighbour, as keras-retinanet's
/// <c>UpsampleLike</c> does with TF1 <c>resize_images(NEAREST_NEIGHBOR, align_corners=False)</c>: output row y reads
/// source row <c>min(floor(y · (in/out)), in - 1)</c>, computed in float32 like TensorFlow (no half-pixel centres,
/// which is what sets it apart from libtorch's "nearest" modes). Inputs <c>[source, target]</c>, NHWC.
/// </summary>
public class UpsampleLike(string? name = null, bool trainable = true, string dtype = "float32") : Layer(name, trainable, dtype)
{
    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        if (inputs.Count != 2) throw LayerCallContext.WrongInputCount(2, inputs.Count);
        Tensor source = inputs[0], target = inputs[1];
        using var rows = SourceIndices(source.shape[1], target.shape[1], source.device);
        using var cols = SourceIndices(source.shape[2], target.shape[2], source.device);
        using var resizedRows = source.index_select(1, rows);
        return resizedRows.index_select(2, cols);
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        if (input_shape.Count != 2) throw LayerCallContext.WrongInputCount(2, input_shape.Count);
        Shape source = input_shape[0], target = input_shape[1];
        if (source.rank != 4 || target.rank != 4)
            throw new ArgumentException($"UpsampleLike expects two inputs of rank 4 (NHWC), got {source} and {target}.");
        return new Shape(source[0], target[1], target[2], source[-1]);
    }

    /// <summary>TensorFlow's legacy nearest-neighbour source index of every output position along one axis.</summary>
    static Tensor SourceIndices(long inSize, long outSize, Device device)
    {
        // TF: scale = (float)in / out; index = min((int64)floorf((float)y * scale), in - 1), all in float32.
        float scale = (float)inSize / outSize;
        var indices = new long[outSize];
        for (long y = 0; y < outSize; y++) indices[y] = Math.Min((long)MathF.Floor(y * scale), inSize - 1);
        return tensor(indices, device: device);
    }
}
