using RetinaNet.Core;
using static TorchSharp.torch;

namespace RetinaNet.Train.Utils;

/// <summary>
/// keras-retinanet's image normalisation and resizing (<c>utils/image.py</c>): images are channels-last BGR tensors
/// with values 0..255, shaped (H, W, C) or (N, H, W, C).
/// </summary>
public static class ImagePreprocessing
{
    /// <summary>The ImageNet BGR channel means subtracted in 'caffe' mode.</summary>
    public static readonly double[] CaffeMeanBgr = { 103.939, 116.779, 123.68 };

    /// <summary>keras_applications' 'torch' mode: per-channel mean and standard deviation of 0..1 pixels, in channel order.</summary>
    public static readonly double[] TorchMean = { 0.485, 0.456, 0.406 }, TorchStd = { 0.229, 0.224, 0.225 };

    /// <summary>
    /// Normalises an image for a backbone: 'caffe' subtracts <see cref="CaffeMeanBgr"/> per channel (no scaling, no
    /// channel swap); 'tf' maps 0..255 to -1..1 with <c>x / 127.5 - 1</c>; 'torch' (EfficientNet, SE-ResNet-50 and up) computes
    /// <c>(x / 255 - mean[c]) / std[c]</c> with <see cref="TorchMean"/>/<see cref="TorchStd"/> applied to the channels
    /// as they come (keras_applications does not swap them, so BGR images get the R statistics on B); 'none' leaves it
    /// as is (SE-ResNet-18/34). The result is a new float32 tensor.
    /// </summary>
    public static Tensor preprocess_image(Tensor x, string mode = "caffe")
    {
        using var scope = NewDisposeScope();
        var image = x.to_type(ScalarType.Float32);
        Tensor result = mode switch
        {
            "tf" => image.div(HeldScalar.Of(127.5)).sub(HeldScalar.Of(1.0)),
            "none" => image, // classification_models' SE-ResNet-18/34: preprocess_input is the identity
            // torchvision's to_tensor + Normalize: BGR to RGB, x / 255, minus the ImageNet mean, divided by its std.
            "torchvision" => image.flip(-1).div(HeldScalar.Of(255.0))
                .add(tensor(TorchMean.Select(v => (float)v).ToArray(), device: image.device), HeldScalar.Of(-1))
                .div(tensor(TorchStd.Select(v => (float)v).ToArray(), device: image.device)),
            "torch" => image.div(HeldScalar.Of(255.0))
                .add(tensor(TorchMean.Select(v => (float)v).ToArray(), device: image.device), HeldScalar.Of(-1))
                .div(tensor(TorchStd.Select(v => (float)v).ToArray(), device: image.device)),
            "caffe" => image - tensor(CaffeMeanBgr.Select(v => (float)v).ToArray(), device: image.device),
            _ => throw new ArgumentException($"preprocess_image: unknown mode '{mode}' (expected 'caffe', 'tf', 'torch', 'torchvision' or 'none')."),
        };
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The scale that makes the smaller side of an image <paramref name="min_side"/>, reduced so the larger side does
    /// not exceed <paramref name="max_side"/>. <paramref name="image_shape"/> starts with (rows, cols), like
    /// <c>image.shape</c>. The rule itself is <see cref="ImageSizing.compute_resize_scale"/>.
    /// </summary>
    public static double compute_resize_scale(long[] image_shape, double min_side = ImageSizing.DefaultMinSide,
        double max_side = ImageSizing.DefaultMaxSide)
    {
        if (image_shape.Length < 2) throw new ArgumentException("compute_resize_scale expects an image shape (rows, cols, ...).");
        return ImageSizing.compute_resize_scale(image_shape[0], image_shape[1], min_side, max_side);
    }

    /// <summary>
    /// Resizes an (H, W, C) image by <see cref="compute_resize_scale"/> with OpenCV's bilinear rule and returns the
    /// image and the scale (box coordinates are multiplied by it).
    /// </summary>
    public static (Tensor image, double scale) resize_image(Tensor img, double min_side = ImageSizing.DefaultMinSide,
        double max_side = ImageSizing.DefaultMaxSide)
    {
        double scale = compute_resize_scale(img.shape, min_side, max_side);
        return (resize_bilinear(img, scale, scale), scale);
    }

    /// <summary>
    /// Resizes an (H, W, C) image as <paramref name="sizing"/> says and returns the image and the scale; with
    /// <see cref="ImageSizing.no_resize"/>, a new handle on the same image and 1.
    /// </summary>
    public static (Tensor image, double scale) resize_image(Tensor img, ImageSizing sizing)
    {
        if (sizing.no_resize) return (img.alias(), 1.0);
        if (img.dim() < 2) throw new ArgumentException("resize_image expects an image (rows, cols, ...).");
        double scale = sizing.scale_for(img.shape[0], img.shape[1]);
        return (resize_bilinear(img, scale, scale), scale);
    }

    /// <summary>
    /// <c>cv2.resize(img, None, fx, fy)</c> with INTER_LINEAR on an (H, W, C) tensor: the output size is
    /// <c>round(W * fx) × round(H * fy)</c> (round half to even, as <c>cvRound</c>), and each output pixel samples the
    /// source at <c>(d + 0.5) / f - 0.5</c> (half-pixel centres, align_corners = false) with the source coordinate
    /// clamped to the image. The mapping uses <c>1 / f</c>, not the ratio of the rounded sizes, as OpenCV does when
    /// given factors.
    /// </summary>
    public static Tensor resize_bilinear(Tensor img, double fx, double fy)
    {
        if (img.dim() != 3) throw new ArgumentException($"resize_bilinear expects an (H, W, C) image, got {img.dim()} dimensions.");
        if (!(fx > 0) || !(fy > 0)) throw new ArgumentException($"resize_bilinear: scale factors must be positive, got ({fx}, {fy}).");
        int height = (int)img.shape[0], width = (int)img.shape[1];
        int outHeight = Math.Max(1, (int)Math.Round(height * fy)), outWidth = Math.Max(1, (int)Math.Round(width * fx));

        using var scope = NewDisposeScope();
        var image = img.to_type(ScalarType.Float32);
        var (top, bottom, wy) = Taps(height, outHeight, 1.0 / fy, image.device);
        var (left, right, wx) = Taps(width, outWidth, 1.0 / fx, image.device);
        var one = HeldScalar.OfInteger(1);
        var rows = (image.index_select(0, top) * wy.neg().add(one, one).view(-1, 1, 1))
            .add(image.index_select(0, bottom) * wy.view(-1, 1, 1), HeldScalar.One);
        var result = (rows.index_select(1, left) * wx.neg().add(one, one).view(1, -1, 1))
            .add(rows.index_select(1, right) * wx.view(1, -1, 1), HeldScalar.One);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>OpenCV's bilinear taps along one axis (<see cref="RetinaNet.Inference.ImageResizing.Taps"/>) as tensors.</summary>
    private static (Tensor first, Tensor second, Tensor weight) Taps(int size, int outSize, double inverseScale, Device device)
    {
        var (first, second, weight) = RetinaNet.Inference.ImageResizing.Taps(size, outSize, inverseScale);
        return (tensor(first.Select(i => (long)i).ToArray(), device: device), tensor(second.Select(i => (long)i).ToArray(), device: device),
            tensor(weight, device: device));
    }
}
