using RetinaNet.Core;
using RetinaNet.Layers.Utils;
using static TorchSharp.torch;

namespace RetinaNet.Layers.TorchVision;

/// <summary>
/// Fine-tuning a torchvision RetinaNet with our trainer: its anchors (<see cref="TorchVisionAnchorLayout"/>), its
/// targets (<see cref="anchor_targets"/>) and its losses (<see cref="TorchVisionFocal"/>,
/// <see cref="TorchVisionBoxLoss"/>) in the shapes our trainer passes around: regression targets (B, N, 4+1) and
/// labels (B, N, K+1), the last column the anchor state (1 foreground, 0 background, −1 ignored).
/// </summary>
/// <remarks>
/// torchvision's rules rather than keras-retinanet's, because the converted heads were trained on them: the
/// regression head predicts <see cref="TorchVisionBoxCoder"/> deltas (keras-retinanet's targets are corner offsets
/// divided by 0.2, another parametrisation), anchors sit at cell corners, and its matcher also makes every box's best
/// anchors foreground (keras-retinanet leaves a box with no anchor at IoU ≥ 0.5 unmatched). The losses normalise by
/// each image's foreground count and average over the batch, as <see cref="TorchVisionLoss"/> (equal to
/// torchvision's) does.
/// </remarks>
public static class TorchVisionTraining
{
    /// <summary>The losses to compile a torchvision RetinaNet with: <c>regression</c> L1 (v1) or GIoU (v2), <c>classification</c> focal.</summary>
    public static Dictionary<string, Loss> Losses(TorchVisionVariant variant) => new()
    {
        ["regression"] = new TorchVisionBoxLoss(variant.BoxLoss()),
        ["classification"] = new TorchVisionFocal(),
    };

    /// <summary>
    /// Targets of a batch: every anchor matched by <see cref="TorchVisionLoss.Match"/> (IoU ≥ 0.5 foreground, &lt; 0.4
    /// background, between ignored, plus each box's best anchors); foreground anchors get the one-hot label of their
    /// box and <see cref="TorchVisionBoxCoder.Encode"/> deltas. Anchors in the padding are matched like any other, as
    /// torchvision does.
    /// </summary>
    /// <param name="anchors">(N, 4) anchors of the padded batch.</param>
    /// <param name="image_shapes">Each image's size before padding (unused: torchvision does not look at it).</param>
    /// <param name="annotations_group">Each image's ground truth.</param>
    /// <param name="num_classes">Classes K.</param>
    public static (Tensor regression_batch, Tensor labels_batch) anchor_targets(Tensor anchors, IReadOnlyList<long[]> image_shapes,
        IReadOnlyList<AnnotationTensors> annotations_group, int num_classes)
    {
        using var scope = NewDisposeScope();
        var anchors32 = anchors.to(ScalarType.Float32);
        long n = anchors.shape[0];
        var regression = zeros(new long[] { annotations_group.Count, n, 5 }, ScalarType.Float32, anchors.device);
        var labels = zeros(new long[] { annotations_group.Count, n, num_classes + 1 }, ScalarType.Float32, anchors.device);
        for (int i = 0; i < annotations_group.Count; i++)
        {
            var boxes = annotations_group[i].bboxes.to(ScalarType.Float32).to(anchors.device).reshape(-1, 4);
            var classes = annotations_group[i].labels.to(ScalarType.Int64).to(anchors.device).reshape(-1);
            var matched = TorchVisionLoss.Match(boxes, anchors32);
            var state = matched.ge(HeldScalar.OfInteger(0)).to(ScalarType.Float32)
                .add(matched.eq(HeldScalar.OfInteger(-2)).to(ScalarType.Float32), HeldScalar.Of(-1));
            regression[i].select(1, 4).copy_(state);
            labels[i].select(1, num_classes).copy_(state);
            var foreground = matched.ge(HeldScalar.OfInteger(0)).nonzero().view(-1);
            if (foreground.shape[0] == 0) continue;
            var gt = matched.index_select(0, foreground);
            var deltas = TorchVisionBoxCoder.Encode(boxes.index_select(0, gt), anchors32.index_select(0, foreground));
            regression[i].narrow(1, 0, 4).index_copy_(0, foreground, deltas);
            var oneHot = zeros(foreground.shape[0], num_classes, ScalarType.Float32, anchors.device)
                .scatter_(1, classes.index_select(0, gt).unsqueeze(1), ones(foreground.shape[0], 1, ScalarType.Float32, anchors.device));
            labels[i].narrow(1, 0, num_classes).index_copy_(0, foreground, oneHot);
        }
        return (regression.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }
}

/// <summary>
/// torchvision's anchors laid out for our training targets: <see cref="TorchVisionAnchorGenerator"/> for the input
/// padded to a multiple of 32 (the padding <see cref="TorchVisionInput"/> adds in the model). The model fixes its
/// anchors, so the <see cref="AnchorConfig"/> is not read.
/// </summary>
public sealed class TorchVisionAnchorLayout : IAnchorLayout
{
    /// <summary>The one layout.</summary>
    public static TorchVisionAnchorLayout Instance { get; } = new();

    /// <inheritdoc/>
    public Tensor anchors_for_shape(long[] image_shape, AnchorConfig config)
    {
        using var anchors = TorchVisionAnchorGenerator.Generate(TorchVisionInput.RoundUp(image_shape[0]), TorchVisionInput.RoundUp(image_shape[1]));
        return anchors.to(ScalarType.Float64);
    }
}

/// <summary>
/// torchvision's classification loss on our targets (<c>_torchvision_focal</c>): per image, the sigmoid focal loss
/// (α 0.25, γ 2, from probabilities with PyTorch's log clamp) summed over anchors that are not ignored, divided by the
/// image's foreground count (at least 1); averaged over the batch.
/// </summary>
public sealed class TorchVisionFocal() : Loss("_torchvision_focal")
{
    /// <inheritdoc/>
    public override Tensor call(Tensor y_true, Tensor y_pred)
    {
        using var scope = NewDisposeScope();
        long k = y_pred.shape[^1];
        var losses = new List<Tensor>();
        for (long b = 0; b < y_true.shape[0]; b++)
        {
            var state = y_true[b].select(1, k);
            var valid = state.ne(HeldScalar.Of(-1)).nonzero().view(-1);
            var foreground = state.eq(HeldScalar.One).sum().to(y_pred.dtype).clamp_min(HeldScalar.One);
            var loss = TorchVisionLoss.Focal(y_pred[b].index_select(0, valid), y_true[b].narrow(1, 0, k).index_select(0, valid));
            losses.Add(loss.div(foreground));
        }
        return stack(losses).mean().MoveToOuterDisposeScope();
    }
}

/// <summary>
/// torchvision's box loss on our targets, over foreground anchors, per image divided by its foreground count (at
/// least 1) and averaged over the batch: <c>l1</c> (<c>_torchvision_l1</c>, v1) on the deltas, or <c>giou</c>
/// (<c>_torchvision_giou</c>, v2) between the boxes both deltas decode to. GIoU does not change when both boxes are
/// shifted or scaled per axis, so decoding against a unit anchor gives what decoding against the real one gives.
/// </summary>
public sealed class TorchVisionBoxLoss : Loss
{
    /// <summary>Creates the loss: <c>l1</c> or <c>giou</c>.</summary>
    public TorchVisionBoxLoss(string box_loss = "l1")
        : base(box_loss is "l1" or "giou" ? "_torchvision_" + box_loss : throw new ArgumentException($"Unknown box loss '{box_loss}': choose l1 or giou."))
    {
        this.box_loss = box_loss;
    }

    /// <summary><c>l1</c> or <c>giou</c>.</summary>
    public string box_loss { get; }

    /// <inheritdoc/>
    public override Tensor call(Tensor y_true, Tensor y_pred)
    {
        using var scope = NewDisposeScope();
        var losses = new List<Tensor>();
        for (long b = 0; b < y_true.shape[0]; b++)
        {
            var foreground = y_true[b].select(1, 4).eq(HeldScalar.One).nonzero().view(-1);
            var count = tensor(Math.Max(1, foreground.shape[0]), y_pred.dtype, y_pred.device);
            var predicted = y_pred[b].index_select(0, foreground);
            var target = y_true[b].narrow(1, 0, 4).index_select(0, foreground).to(y_pred.dtype);
            Tensor loss;
            if (box_loss == "l1") loss = predicted.add(target, HeldScalar.Of(-1)).abs().sum();
            else
            {
                var unit = tensor(new[] { 0f, 0f, 1f, 1f }, y_pred.dtype, y_pred.device).expand(foreground.shape[0], 4);
                loss = TorchVisionLoss.GeneralizedIouLoss(TorchVisionBoxCoder.Decode(predicted, unit), TorchVisionBoxCoder.Decode(target, unit)).sum();
            }
            losses.Add(loss.div(count));
        }
        return stack(losses).mean().MoveToOuterDisposeScope();
    }
}
