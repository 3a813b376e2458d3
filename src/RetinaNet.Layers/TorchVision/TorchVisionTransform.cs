using RetinaNet.Core;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace RetinaNet.Layers.TorchVision;

/// <summary>
/// torchvision's <c>GeneralizedRCNNTransform</c> for inference: each RGB image in [0, 1] is normalised with
/// ImageNet's mean and std, resized bilinearly so its short side becomes <see cref="min_size"/> unless its long side
/// would exceed <see cref="max_size"/>, and the batch is zero-padded at the bottom/right to a multiple of 32.
/// </summary>
/// <param name="min_size">Target short side (torchvision's default 800).</param>
/// <param name="max_size">Largest long side (torchvision's default 1333).</param>
public sealed record TorchVisionTransform(int min_size = 800, int max_size = 1333)
{
    static readonly float[] Mean = { 0.485f, 0.456f, 0.406f };
    static readonly float[] Std = { 0.229f, 0.224f, 0.225f };

    /// <summary>Padding multiple of the batch.</summary>
    public const int SizeDivisible = 32;

    /// <summary>
    /// The resize scale as torchvision computes it (float32 tensors: <c>min(min_size / short, max_size / long)</c>)
    /// and the resized size, <c>floor(side · scale)</c> in double precision as <c>interpolate</c> computes it.
    /// </summary>
    public (double scale, long height, long width) ResizedSize(long height, long width)
    {
        float shortSide = Math.Min(height, width), longSide = Math.Max(height, width);
        float scale = Math.Min((float)min_size / shortSide, (float)max_size / longSide);
        return (scale, (long)Math.Floor(height * (double)scale), (long)Math.Floor(width * (double)scale));
    }

    /// <summary>
    /// Transforms a batch: images (H, W, 3) RGB float in [0, 1] → the model's NHWC input (B, H', W', 3), and each
    /// image's resized size (before padding) and original size, for clipping and rescaling the detections.
    /// </summary>
    public (Tensor batch, (long height, long width)[] resized, (long height, long width)[] original) Apply(IReadOnlyList<Tensor> images)
    {
        if (images.Count == 0) throw new ArgumentException("No images to transform.");
        using var scope = NewDisposeScope();
        var resizedImages = new List<Tensor>();
        var resized = new (long, long)[images.Count];
        var original = new (long, long)[images.Count];
        for (int i = 0; i < images.Count; i++)
        {
            var image = images[i];
            if (image.dim() != 3 || image.shape[2] != 3)
                throw new ArgumentException($"Image {i}: expected (H, W, 3) RGB values in [0, 1], got shape ({string.Join(", ", image.shape)}).");
            var chw = image.to(ScalarType.Float32).permute(2, 0, 1);
            var mean = tensor(Mean, device: image.device).view(3, 1, 1);
            var std = tensor(Std, device: image.device).view(3, 1, 1);
            var normalised = chw.add(mean, HeldScalar.Of(-1)).div(std);
            var (_, h, w) = ResizedSize(image.shape[0], image.shape[1]);
            original[i] = (image.shape[0], image.shape[1]);
            resized[i] = (h, w);
            resizedImages.Add(F.interpolate(normalised.unsqueeze(0), new[] { h, w }, mode: InterpolationMode.Bilinear, align_corners: false)[0]);
        }
        long maxH = RoundUp(resized.Max(s => s.Item1)), maxW = RoundUp(resized.Max(s => s.Item2));
        var batch = zeros(images.Count, 3, maxH, maxW, device: images[0].device);
        for (int i = 0; i < images.Count; i++)
            batch[i, .., ..(int)resized[i].Item1, ..(int)resized[i].Item2].copy_(resizedImages[i]);
        return (batch.permute(0, 2, 3, 1).contiguous().MoveToOuterDisposeScope(), resized, original);
    }

    static long RoundUp(long size) => (long)Math.Ceiling(size / (double)SizeDivisible) * SizeDivisible;
}
