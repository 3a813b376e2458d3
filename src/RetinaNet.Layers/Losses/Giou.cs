using RetinaNet.Core;
using RetinaNet.Layers.TorchVision;
using RetinaNet.Layers.Utils;
using static TorchSharp.torch;

namespace RetinaNet.Layers;

/// <summary>
/// The GIoU box loss (<c>_giou</c>, <c>--box-loss giou</c>; torchvision v2's) on keras-retinanet's regression targets:
/// <c>y_true</c> (B, N, 4+1) normalised corner deltas plus the anchor state, <c>y_pred</c> (B, N, 4). For every
/// positive anchor both deltas are decoded into boxes (<see cref="BoxTransform.bbox_transform_inv"/>, std 0.2) and
/// <c>1 − GIoU(predicted, target)</c> (torchvision's <c>generalized_box_iou_loss</c>, ε 1e-7) is summed, then divided
/// by the number of positive anchors in the batch (at least 1), as <see cref="SmoothL1"/> normalises. Unlike smooth
/// L1 on deltas it scores the overlap of the boxes themselves. GIoU does not change when both boxes are shifted or
/// scaled per axis, so decoding against a unit anchor gives what decoding against the real anchor gives, and the
/// targets need not carry anchors.
/// </summary>
public class Giou() : Loss("_giou")
{
    /// <inheritdoc/>
    public override Tensor call(Tensor y_true, Tensor y_pred)
    {
        using var scope = NewDisposeScope();
        var state = y_true.select(-1, 4);
        var positive = state.eq(HeldScalar.One);
        var predicted = y_pred[positive].view(1, -1, 4);
        var target = y_true.narrow(-1, 0, 4)[positive].to(y_pred.dtype).view(1, -1, 4);
        var unit = tensor(new[] { 0f, 0f, 1f, 1f }, y_pred.dtype, y_pred.device).expand(1, predicted.shape[1], 4);
        var loss = TorchVisionLoss.GeneralizedIouLoss(BoxTransform.bbox_transform_inv(unit, predicted)[0],
            BoxTransform.bbox_transform_inv(unit, target)[0]).sum();
        var normalizer = positive.sum().to(y_pred.dtype).clamp_min(HeldScalar.One);
        return loss.div(normalizer).MoveToOuterDisposeScope();
    }
}
