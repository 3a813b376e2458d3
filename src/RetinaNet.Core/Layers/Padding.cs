namespace RetinaNet.Core.Layers;

/// <summary>TensorFlow's padding arithmetic for convolutions and pooling.</summary>
public static class Padding
{
    /// <summary>
    /// Rows/columns to add before and after an axis. "same": out = ceil(in/stride),
    /// total = max(0, (out-1)*stride + (k-1)*dilation + 1 - in), before = total/2 (the extra one goes after).
    /// "valid": none.
    /// </summary>
    public static (long before, long after) Same(long size, int kernel, int stride, int dilation, string padding)
    {
        if (padding != "same") return (0, 0);
        var output = (size + stride - 1) / stride;
        var total = Math.Max(0, (output - 1) * stride + (long)(kernel - 1) * dilation + 1 - size);
        return (total / 2, total - total / 2);
    }

    /// <summary>Output length along one axis; null stays null.</summary>
    public static long? OutputSize(long? size, int kernel, int stride, int dilation, string padding)
    {
        if (size is not long n) return null;
        if (padding == "same") return (n + stride - 1) / stride;
        var effective = (long)(kernel - 1) * dilation + 1;
        return n < effective ? 0 : (n - effective) / stride + 1;
    }
}
