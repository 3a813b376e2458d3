using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// libtorch's channels-last memory format, which TorchSharp 0.107 does not expose as <c>contiguous(memory_format)</c>:
/// an (N, C, H, W) tensor whose memory is laid out N, H, W, C. An NHWC tensor permuted to NCHW already is one,
/// which is how our channels-last API reaches libtorch's fast convolutions without copies.
/// </summary>
public static class ChannelsLast
{
    /// <summary>A copy of a 4-D (N, C, H, W) tensor in channels-last memory (no copy if it already is).</summary>
    public static Tensor Of(Tensor nchw)
    {
        if (Is(nchw)) return nchw.alias();
        using var nhwc = nchw.permute(0, 2, 3, 1).contiguous();
        return nhwc.permute(0, 3, 1, 2);
    }

    /// <summary>True when a 4-D tensor's memory is N, H, W, C ordered and dense.</summary>
    public static bool Is(Tensor t)
    {
        if (t.dim() != 4) return false;
        var s = t.stride();
        var (c, h, w) = (t.shape[1], t.shape[2], t.shape[3]);
        return (c == 1 || s[1] == 1) && (w == 1 || s[3] == c) && (h == 1 || s[2] == c * w) && (t.shape[0] == 1 || s[0] == c * h * w);
    }
}
