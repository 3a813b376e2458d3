namespace RetinaNet.Core.Onnx;

/// <summary>
/// A tensor of the ONNX graph standing for a Keras tensor: its name, rank, element type and layout. Rank-4 feature
/// maps may be held channels-first (NCHW), the layout ONNX's convolutions and pools want, while Keras sees them
/// channels-last; <see cref="OnnxLayerContext.ChannelsFirst"/> and <see cref="OnnxLayerContext.ChannelsLast"/> give
/// a value in the layout a converter needs, transposing once when it is not.
/// </summary>
/// <param name="Name">Name of the ONNX tensor.</param>
/// <param name="Rank">Number of axes (the same in both layouts).</param>
/// <param name="IsChannelsFirst">True when the ONNX tensor is NCHW while Keras sees NHWC.</param>
/// <param name="Type">Element type.</param>
public sealed record OnnxValue(string Name, int Rank, bool IsChannelsFirst = false, OnnxType Type = OnnxType.Float)
{
    /// <summary>
    /// The ONNX axis that holds Keras axis <paramref name="kerasAxis"/> (negative counts from the end) in this
    /// value's layout.
    /// </summary>
    public int OnnxAxis(int kerasAxis)
    {
        var axis = kerasAxis < 0 ? kerasAxis + Rank : kerasAxis;
        if (axis < 0 || axis >= Rank) throw new ArgumentOutOfRangeException(nameof(kerasAxis), $"axis {kerasAxis} for rank {Rank}");
        if (!IsChannelsFirst) return axis;
        return axis switch { 0 => 0, 3 => 1, _ => axis + 1 };
    }
}
