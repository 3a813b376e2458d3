namespace RetinaNet.Layers;

/// <summary>keras-retinanet's loss factories (<c>keras_retinanet.losses</c>), for <c>compile(loss: ...)</c>.</summary>
public static class Losses
{
    /// <summary>The focal classification loss (<c>_focal</c>).</summary>
    public static Focal focal(double alpha = 0.25, double gamma = 2.0, double cutoff = 0.5) => new(alpha, gamma, cutoff);

    /// <summary>The smooth L1 regression loss (<c>_smooth_l1</c>).</summary>
    public static SmoothL1 smooth_l1(double sigma = 3.0) => new(sigma);

    /// <summary>The GIoU box loss (<c>_giou</c>, <c>--box-loss giou</c>).</summary>
    public static Giou giou() => new();
}
