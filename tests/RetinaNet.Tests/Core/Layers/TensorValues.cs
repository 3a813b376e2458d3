using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Layers;

/// <summary>Reads tensors into plain arrays so tests can compute expectations with loops.</summary>
internal static class TensorValues
{
    /// <summary>The elements in logical (row-major) order, whatever the memory layout.</summary>
    public static float[] Of(Tensor t) => t.detach().cpu().contiguous().data<float>().ToArray();

    /// <summary>A float tensor 0, 1, 2, … of the given shape, scaled and shifted.</summary>
    public static Tensor Ramp(long[] shape, float scale = 1, float offset = 0)
    {
        var n = shape.Aggregate(1L, (a, b) => a * b);
        return tensor(Enumerable.Range(0, (int)n).Select(i => i * scale + offset).ToArray()).reshape(shape);
    }
}
