using RetinaNet.Core;
using static TorchSharp.torch;

namespace RetinaNet.Layers.TorchVision;

/// <summary>
/// torchvision's <c>BoxCoder</c> with weights (1, 1, 1, 1) (<c>detection/_utils.py</c>): centre-size deltas
/// <c>dx = (gx − ax) / aw</c>, <c>dw = log(gw / aw)</c>, …; decoding clamps dw and dh at <c>log(1000 / 16)</c>.
/// The float32 operations follow torchvision's order so decoded boxes agree to the last bit or so.
/// </summary>
public static class TorchVisionBoxCoder
{
    /// <summary>The dw/dh clamp, <c>log(1000 / 16)</c>.</summary>
    public static readonly double Clip = Math.Log(1000.0 / 16);

    static (Tensor x1, Tensor y1, Tensor w, Tensor h, Tensor cx, Tensor cy) CentreSize(Tensor boxes)
    {
        var one = HeldScalar.One;
        var minus = HeldScalar.Of(-1);
        var half = HeldScalar.Of(0.5);
        var x1 = boxes.select(1, 0); var y1 = boxes.select(1, 1);
        var w = boxes.select(1, 2).add(x1, minus);
        var h = boxes.select(1, 3).add(y1, minus);
        return (x1, y1, w, h, x1.add(w.mul(half), one), y1.add(h.mul(half), one));
    }

    /// <summary>Boxes (N, 4) from deltas (N, 4) relative to anchors (N, 4).</summary>
    public static Tensor Decode(Tensor deltas, Tensor anchors)
    {
        using var scope = NewDisposeScope();
        var one = HeldScalar.One;
        var minus = HeldScalar.Of(-1);
        var half = HeldScalar.Of(0.5);
        var (_, _, w, h, cx, cy) = CentreSize(anchors.to(deltas.dtype));
        var dx = deltas.select(1, 0); var dy = deltas.select(1, 1);
        var dw = deltas.select(1, 2).clamp_max(HeldScalar.Of(Clip));
        var dh = deltas.select(1, 3).clamp_max(HeldScalar.Of(Clip));
        var px = dx.mul(w).add(cx, one);
        var py = dy.mul(h).add(cy, one);
        var halfW = dw.exp().mul(w).mul(half);
        var halfH = dh.exp().mul(h).mul(half);
        return stack(new[] { px.add(halfW, minus), py.add(halfH, minus), px.add(halfW, one), py.add(halfH, one) }, 1)
            .MoveToOuterDisposeScope();
    }

    /// <summary>Deltas (N, 4) that move anchors (N, 4) onto boxes (N, 4).</summary>
    public static Tensor Encode(Tensor boxes, Tensor anchors)
    {
        using var scope = NewDisposeScope();
        var minus = HeldScalar.Of(-1);
        var (_, _, aw, ah, ax, ay) = CentreSize(anchors);
        var (_, _, gw, gh, gx, gy) = CentreSize(boxes);
        var dx = gx.add(ax, minus).div(aw);
        var dy = gy.add(ay, minus).div(ah);
        var dw = gw.div(aw).log();
        var dh = gh.div(ah).log();
        return stack(new[] { dx, dy, dw, dh }, 1).MoveToOuterDisposeScope();
    }
}
