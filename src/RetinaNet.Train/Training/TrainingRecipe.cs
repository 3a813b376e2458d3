namespace RetinaNet.Train.Training;

/// <summary>
/// Architecture and loss choices torchvision's RetinaNet v2 made, as options for our own models
/// (<c>--head-norm</c>, <c>--box-loss</c>, <c>--p6-from</c>); the defaults are keras-retinanet's. The architecture
/// choices are layers of the saved model and the box loss is in its training configuration, so loading, resuming,
/// <c>convert-model</c>, <c>predict</c> and <c>export</c> keep them without being told again.
/// </summary>
/// <param name="head_norm"><c>none</c>: the heads' four 3×3 convs have a bias and a ReLU (keras-retinanet);
/// <c>group</c>: conv without bias → GroupNormalization(32) → ReLU (torchvision v2; the head width must be a multiple
/// of 32).</param>
/// <param name="box_loss"><c>smooth_l1</c>: smooth L1 (σ 3) on the normalised deltas (keras-retinanet);
/// <c>giou</c>: 1 − GIoU of the decoded predicted and target boxes (torchvision v2), normalised the same way.</param>
/// <param name="p6_from"><c>c5</c>: P6 = conv3×3/2(C5) (keras-retinanet, torchvision v2); <c>p5</c>: from the FPN's
/// P5 output (torchvision v1).</param>
public sealed record TrainingRecipe(string head_norm = "none", string box_loss = "smooth_l1", string p6_from = "c5")
{
    /// <summary>keras-retinanet's choices.</summary>
    public static TrainingRecipe Default { get; } = new();

    /// <summary>The box loss to compile with.</summary>
    public RetinaNet.Core.Loss BoxLoss() => box_loss switch
    {
        "smooth_l1" => Layers.Losses.smooth_l1(),
        "giou" => Layers.Losses.giou(),
        _ => throw new ArgumentException($"--box-loss {box_loss}: choose smooth_l1 or giou."),
    };
}
