using RetinaNet.Core;
using static TorchSharp.torch;

namespace RetinaNet.Layers.TorchVision;

/// <summary>
/// torchvision's RetinaNet training losses (<c>RetinaNetHead.compute_loss</c>) for one batch. Anchors are matched to
/// ground truth by IoU (<c>Matcher(0.5, 0.4, allow_low_quality_matches=True)</c>: ≥ 0.5 foreground, &lt; 0.4
/// background, between ignored, and every box's best anchors foreground too). Classification: sigmoid focal loss
/// (α 0.25, γ 2) summed over the non-ignored anchors, divided by max(1, foreground count); regression: L1 on
/// <see cref="TorchVisionBoxCoder"/> deltas (v1) or GIoU loss on decoded boxes (v2) over the foreground anchors,
/// divided likewise. Both are averaged over the images.
/// </summary>
public static class TorchVisionLoss
{
    /// <summary>The two losses of a batch, as <c>model(images, targets)</c> returns them in training.</summary>
    /// <param name="regression">(B, N, 4) deltas.</param>
    /// <param name="classification">(B, N, K) sigmoid scores.</param>
    /// <param name="anchors">(N, 4).</param>
    /// <param name="boxes">Per image, (M, 4) ground truth in model-input pixels.</param>
    /// <param name="labels">Per image, (M) int64 classes.</param>
    /// <param name="boxLoss"><c>l1</c> or <c>giou</c>.</param>
    public static (Tensor classification, Tensor bbox_regression) Compute(Tensor regression, Tensor classification, Tensor anchors,
        IReadOnlyList<Tensor> boxes, IReadOnlyList<Tensor> labels, string boxLoss)
    {
        if (boxLoss is not ("l1" or "giou")) throw new ArgumentException($"Unknown box loss '{boxLoss}': choose l1 or giou.");
        using var scope = NewDisposeScope();
        var one = HeldScalar.One;
        var classLosses = new List<Tensor>();
        var boxLosses = new List<Tensor>();
        for (int i = 0; i < boxes.Count; i++)
        {
            var matched = Match(boxes[i], anchors);
            var foreground = matched.ge(tensor(0L, device: matched.device)).nonzero().view(-1);
            var numForeground = Math.Max(1, foreground.shape[0]);
            var valid = matched.ne(tensor(-2L, device: matched.device)).nonzero().view(-1);
            var target = zeros_like(classification[i]);
            if (foreground.shape[0] > 0)
            {
                var classes = labels[i].index_select(0, matched.index_select(0, foreground));
                target.index_put_(ones(1, device: target.device, dtype: target.dtype).expand(foreground.shape[0]), foreground, classes);
            }
            classLosses.Add(Focal(classification[i].index_select(0, valid), target.index_select(0, valid)).div(tensor((float)numForeground)));

            var predicted = regression[i].index_select(0, foreground);
            var anchorsFg = anchors.index_select(0, foreground);
            var gt = boxes[i].index_select(0, matched.index_select(0, foreground));
            var loss = boxLoss == "l1"
                ? predicted.add(TorchVisionBoxCoder.Encode(gt, anchorsFg), HeldScalar.Of(-1)).abs().sum()
                : GeneralizedIouLoss(TorchVisionBoxCoder.Decode(predicted, anchorsFg), gt).sum();
            boxLosses.Add(loss.div(tensor((float)numForeground)));
        }
        var count = tensor((float)boxes.Count);
        return (stack(classLosses).sum().div(count).MoveToOuterDisposeScope(), stack(boxLosses).sum().div(count).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The Matcher: per anchor the index of its ground-truth box, −1 for background (IoU &lt; 0.4), −2 for ignored
    /// (0.4 ≤ IoU &lt; 0.5); anchors that are some box's best match (ties included) keep their match regardless.
    /// </summary>
    public static Tensor Match(Tensor boxes, Tensor anchors)
    {
        using var scope = NewDisposeScope();
        if (boxes.shape[0] == 0) return full(anchors.shape[0], HeldScalar.OfInteger(-1), ScalarType.Int64, anchors.device).MoveToOuterDisposeScope();
        var iou = BoxIou(boxes, anchors); // (M, N)
        var (values, matches) = iou.max(0);
        var result = matches.clone();
        result.masked_fill_(values.lt(tensor(0.4f, device: values.device)), HeldScalar.OfInteger(-1));
        result.masked_fill_(values.ge(tensor(0.4f, device: values.device)).logical_and(values.lt(tensor(0.5f, device: values.device))), HeldScalar.OfInteger(-2));
        var best = iou.max(1).values.unsqueeze(1);
        var lowQuality = iou.eq(best).nonzero().select(1, 1);
        result.index_put_(matches.index_select(0, lowQuality), lowQuality);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>IoU of every box in <paramref name="a"/> (M, 4) with every box in <paramref name="b"/> (N, 4): (M, N).</summary>
    public static Tensor BoxIou(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var minus = HeldScalar.Of(-1);
        var one = HeldScalar.One;
        Tensor Area(Tensor x) => x.select(1, 2).add(x.select(1, 0), minus).mul(x.select(1, 3).add(x.select(1, 1), minus));
        var lt = maximum(a.narrow(1, 0, 2).unsqueeze(1), b.narrow(1, 0, 2).unsqueeze(0));
        var rb = minimum(a.narrow(1, 2, 2).unsqueeze(1), b.narrow(1, 2, 2).unsqueeze(0));
        var wh = rb.add(lt, minus).clamp_min(HeldScalar.Of(0));
        var inter = wh.select(2, 0).mul(wh.select(2, 1));
        var union = Area(a).unsqueeze(1).add(Area(b).unsqueeze(0), one).add(inter, minus);
        return inter.div(union).MoveToOuterDisposeScope();
    }

    /// <summary>torchvision's <c>sigmoid_focal_loss(reduction="sum")</c>, from probabilities.</summary>
    internal static Tensor Focal(Tensor p, Tensor t)
    {
        var one = HeldScalar.One;
        var notP = p.neg().add(ones_like(p), one);
        var notT = t.neg().add(ones_like(t), one);
        // Binary cross-entropy; log clamped at -100 as PyTorch's binary_cross_entropy does.
        var ce = t.mul(p.log().clamp_min(HeldScalar.Of(-100))).add(notT.mul(notP.log().clamp_min(HeldScalar.Of(-100))), one).neg();
        var pt = p.mul(t).add(notP.mul(notT), one);
        var modulating = pt.neg().add(ones_like(pt), one).pow(HeldScalar.Of(2));
        var alpha = t.mul(HeldScalar.Of(0.25)).add(notT.mul(HeldScalar.Of(0.75)), one);
        return alpha.mul(ce.mul(modulating)).sum();
    }

    /// <summary>torchvision's <c>generalized_box_iou_loss</c> (eps 1e-7) per box pair.</summary>
    internal static Tensor GeneralizedIouLoss(Tensor boxes, Tensor gt)
    {
        var one = HeldScalar.One;
        var minus = HeldScalar.Of(-1);
        var eps = HeldScalar.Of(1e-7);
        Tensor C(Tensor x, int i) => x.select(1, i);
        var xk1 = maximum(C(boxes, 0), C(gt, 0)); var yk1 = maximum(C(boxes, 1), C(gt, 1));
        var xk2 = minimum(C(boxes, 2), C(gt, 2)); var yk2 = minimum(C(boxes, 3), C(gt, 3));
        var positive = yk2.gt(yk1).logical_and(xk2.gt(xk1));
        var inter = xk2.add(xk1, minus).mul(yk2.add(yk1, minus)).mul(positive.to(boxes.dtype));
        var areaP = C(boxes, 2).add(C(boxes, 0), minus).mul(C(boxes, 3).add(C(boxes, 1), minus));
        var areaG = C(gt, 2).add(C(gt, 0), minus).mul(C(gt, 3).add(C(gt, 1), minus));
        var union = areaP.add(areaG, one).add(inter, minus);
        var iou = inter.div(union.add(eps, one));
        var xc1 = minimum(C(boxes, 0), C(gt, 0)); var yc1 = minimum(C(boxes, 1), C(gt, 1));
        var xc2 = maximum(C(boxes, 2), C(gt, 2)); var yc2 = maximum(C(boxes, 3), C(gt, 3));
        var areaC = xc2.add(xc1, minus).mul(yc2.add(yc1, minus));
        var giou = iou.add(areaC.add(union, minus).div(areaC.add(eps, one)), minus);
        return giou.neg().add(ones_like(giou), one);
    }
}
