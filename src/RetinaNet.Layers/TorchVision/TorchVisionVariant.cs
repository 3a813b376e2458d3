namespace RetinaNet.Layers.TorchVision;

/// <summary>
/// torchvision's two ResNet-50-FPN RetinaNets (torchvision 0.14 <c>detection/retinanet.py</c>).
/// </summary>
public enum TorchVisionVariant
{
    /// <summary><c>retinanet_resnet50_fpn</c>: P6 from P5, heads without normalisation, L1 box loss.</summary>
    V1,
    /// <summary><c>retinanet_resnet50_fpn_v2</c>: P6 from C5, GroupNorm(32) in the heads, GIoU box loss.</summary>
    V2,
}

/// <summary>Parsing and the per-variant choices.</summary>
public static class TorchVisionVariants
{
    /// <summary>Parses <c>v1</c> or <c>v2</c> (case-insensitive); throws naming the value otherwise.</summary>
    public static TorchVisionVariant Parse(string value) => value.ToLowerInvariant() switch
    {
        "v1" => TorchVisionVariant.V1,
        "v2" => TorchVisionVariant.V2,
        _ => throw new ArgumentException($"Unknown torchvision RetinaNet variant '{value}': choose v1 or v2."),
    };

    /// <summary>Whether the head convolutions are followed by GroupNorm(32) (v2) instead of carrying a bias (v1).</summary>
    public static bool HeadGroupNorm(this TorchVisionVariant variant) => variant == TorchVisionVariant.V2;

    /// <summary>Whether P6 is computed from C5 (v2) rather than P5 (v1).</summary>
    public static bool P6FromC5(this TorchVisionVariant variant) => variant == TorchVisionVariant.V2;

    /// <summary>The box loss torchvision trains the variant with: <c>l1</c> (v1) or <c>giou</c> (v2).</summary>
    public static string BoxLoss(this TorchVisionVariant variant) => variant == TorchVisionVariant.V2 ? "giou" : "l1";

    /// <summary>torchvision's factory name.</summary>
    public static string ModelName(this TorchVisionVariant variant) =>
        variant == TorchVisionVariant.V2 ? "retinanet_resnet50_fpn_v2" : "retinanet_resnet50_fpn";
}
