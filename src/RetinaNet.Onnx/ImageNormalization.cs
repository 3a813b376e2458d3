namespace RetinaNet.Inference;

/// <summary>The backbones' input normalisation in plain C#: 'caffe' subtracts the ImageNet BGR means, 'tf' maps 0..255 to −1..1.</summary>
public static class ImageNormalization
{
    /// <summary>The BGR channel means subtracted in 'caffe' mode.</summary>
    public static readonly float[] CaffeMeanBgr = { 103.939f, 116.779f, 123.68f };

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
            default:
                throw new ArgumentException($"unknown preprocessing mode '{mode}' (expected 'caffe' or 'tf').");
        }
        return result;
    }
}
