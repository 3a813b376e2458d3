namespace RetinaNet.Inference;

/// <summary>The backbones' input normalisation in plain C#: 'caffe' subtracts the ImageNet BGR means, 'tf' maps 0..255 to −1..1, 'torch' is torchvision's RGB mean/std normalisation.</summary>
public static class ImageNormalization
{
    /// <summary>The BGR channel means subtracted in 'caffe' mode.</summary>
    public static readonly float[] CaffeMeanBgr = { 103.939f, 116.779f, 123.68f };

    /// <summary>torchvision's ImageNet RGB means ('torch' mode, values in [0, 1]).</summary>
    public static readonly float[] TorchMeanRgb = { 0.485f, 0.456f, 0.406f };

    /// <summary>torchvision's ImageNet RGB standard deviations ('torch' mode).</summary>
    public static readonly float[] TorchStdRgb = { 0.229f, 0.224f, 0.225f };

    /// <summary>A normalised copy of (H, W, 3) BGR pixels.</summary>
    public static float[] Normalize(float[] bgr, string mode)
    {
        var result = new float[bgr.Length];
        switch (mode)
        {
            case "caffe":
                for (int i = 0; i < bgr.Length; i++) result[i] = bgr[i] - CaffeMeanBgr[i % 3];
                break;
            case "tf":
                for (int i = 0; i < bgr.Length; i++) result[i] = bgr[i] / 127.5f - 1f;
                break;
            case "torch":
                // torchvision's: BGR → RGB, x / 255, minus the ImageNet mean, divided by its std.
                for (int i = 0; i < bgr.Length; i++)
                {
                    int c = 2 - i % 3, pixel = i - i % 3;
                    result[pixel + c] = (bgr[i] / 255f - TorchMeanRgb[c]) / TorchStdRgb[c];
                }
                break;
            default:
                throw new ArgumentException($"unknown preprocessing mode '{mode}' (expected 'caffe', 'tf' or 'torch').");
        }
        return result;
    }
}
