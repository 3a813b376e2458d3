namespace RetinaNet.Inference;

/// <summary>The backbones' input normalisation in plain C#: 'caffe' subtracts the ImageNet BGR means, 'tf' maps 0..255 to −1..1, 'torch' scales to 0..1 and standardises per channel, 'none' copies.</summary>
public static class ImageNormalization
{
    /// <summary>The BGR channel means subtracted in 'caffe' mode.</summary>
    public static readonly float[] CaffeMeanBgr = { 103.939f, 116.779f, 123.68f };

    /// <summary>'torch' mode (SE-ResNet-50 and up): mean and standard deviation of 0..1 pixels, in channel order (not swapped).</summary>
    public static readonly float[] TorchMean = { 0.485f, 0.456f, 0.406f }, TorchStd = { 0.229f, 0.224f, 0.225f };

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
                for (int i = 0; i < bgr.Length; i++) result[i] = (bgr[i] / 255f - TorchMean[i % 3]) / TorchStd[i % 3];
                break;
            case "torchvision": // torchvision's: BGR → RGB, x / 255, minus the ImageNet mean, divided by its std
                for (int i = 0; i < bgr.Length; i++)
                {
                    int c = 2 - i % 3, pixel = i - i % 3;
                    result[pixel + c] = (bgr[i] / 255f - TorchMean[c]) / TorchStd[c];
                }
                break;
            case "none":
                Array.Copy(bgr, result, bgr.Length);
                break;
            default:
                throw new ArgumentException($"unknown preprocessing mode '{mode}' (expected 'caffe', 'tf', 'torch', 'torchvision' or 'none').");
        }
        return result;
    }
}
