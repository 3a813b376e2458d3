using RetinaNet.Train.Utils;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Train.Preprocessing;

public class ImagePreprocessingTests
{
    [Test]
    public void PreprocessImage_Caffe_SubtractsBgrMeans()
    {
        using var x = tensor(new float[] { 0, 100, 255, 103.939f, 116.779f, 123.68f }).reshape(1, 2, 3);
        using var y = ImagePreprocessing.preprocess_image(x, "caffe");

        double[] expected = { 0 - 103.939, 100 - 116.779, 255 - 123.68, 0, 0, 0 };
        Assert.That(y.dtype, Is.EqualTo(ScalarType.Float32));
        Assert.That(y.flatten().data<float>().ToArray(), Is.EqualTo(expected).Within(1e-4));
    }

    [Test]
    public void PreprocessImage_Tf_ScalesToMinusOneOne()
    {
        using var x = tensor(new float[] { 0, 127.5f, 255 }).reshape(1, 1, 3);
        using var y = ImagePreprocessing.preprocess_image(x, "tf");
        Assert.That(y.flatten().data<float>().ToArray(), Is.EqualTo(new[] { -1.0, 0.0, 1.0 }).Within(1e-6));
        Assert.Throws<ArgumentException>(() => ImagePreprocessing.preprocess_image(x, "pytorch"));
    }

    /// <summary>
    /// keras_applications' 'torch' mode (efficientnet's preprocess_input) in float32: x / 255, minus the ImageNet mean,
    /// divided by its deviation, by channel position and without a channel swap; RetinaNet.Onnx's plain-C# copy agrees.
    /// </summary>
    [Test]
    public void PreprocessImage_Torch_ScalesToUnitAndStandardisesByChannelPosition()
    {
        var pixels = new float[] { 0, 100, 255, 123.675f, 116.28f, 103.53f };
        using var x = tensor(pixels).reshape(1, 2, 3);
        using var y = ImagePreprocessing.preprocess_image(x, "torch");
        float[] mean = { 0.485f, 0.456f, 0.406f }, std = { 0.229f, 0.224f, 0.225f };
        var expected = pixels.Select((p, i) => (p / 255f - mean[i % 3]) / std[i % 3]).ToArray();
        Assert.That(y.dtype, Is.EqualTo(ScalarType.Float32));
        Assert.That(y.flatten().data<float>().ToArray(), Is.EqualTo(expected).Within(1e-6));
        Assert.That(expected.Skip(3), Is.EqualTo(new[] { 0f, 0f, 0f }).Within(1e-6), "0.485·255 on the first channel gives 0");
        Assert.That(RetinaNet.Inference.ImageNormalization.Normalize(pixels, "torch"), Is.EqualTo(expected).Within(1e-6));
    }

    [Test]
    public void PreprocessImage_Torchvision_IsTorchvisionsNormalisationOfTheRgbImage()
    {
        // One BGR pixel (b, g, r) = (0, 127.5, 255): RGB (1, 0.5, 0), minus the ImageNet mean, divided by its std.
        using var x = tensor(new float[] { 0, 127.5f, 255 }).reshape(1, 1, 3);
        using var y = ImagePreprocessing.preprocess_image(x, "torchvision");
        var expected = new[] { (1 - 0.485) / 0.229, (0.5 - 0.456) / 0.224, (0 - 0.406) / 0.225 };
        Assert.That(y.flatten().data<float>().ToArray(), Is.EqualTo(expected).Within(1e-5));
        Assert.That(RetinaNet.Inference.ImageNormalization.Normalize(new float[] { 0, 127.5f, 255 }, "torchvision"), Is.EqualTo(expected).Within(1e-5));
    }

    [Test]
    public void ComputeResizeScale_SmallSideTo800_UnlessLargeSideExceeds1333()
    {
        // 500 rows x 353 cols: 800 / 353 = 2.2663; 500 * 2.2663 = 1133 <= 1333, so the small side decides.
        Assert.That(ImagePreprocessing.compute_resize_scale(new long[] { 500, 353, 3 }), Is.EqualTo(800.0 / 353).Within(1e-12));
        // 2000 rows x 100 cols: 800 / 100 = 8 would make 16000 rows, so the large side decides: 1333 / 2000.
        Assert.That(ImagePreprocessing.compute_resize_scale(new long[] { 2000, 100, 3 }), Is.EqualTo(0.6665).Within(1e-12));
    }

    [Test]
    public void ResizeImage_OutputSizeIsRoundedScaledSize()
    {
        using var image = zeros(500, 353, 1);
        var (resized, scale) = ImagePreprocessing.resize_image(image);
        using (resized)
        {
            Assert.That(scale, Is.EqualTo(800.0 / 353).Within(1e-12));
            // 353 * 2.26629 = 800.0, 500 * 2.26629 = 1133.14 -> 1133.
            Assert.That(resized.shape, Is.EqualTo(new long[] { 1133, 800, 1 }));
        }
    }

    [Test]
    public void ResizeBilinear_Ramp_MatchesHalfPixelCentresByHand()
    {
        using var ramp = tensor(new float[] { 0, 10, 20, 30 }).reshape(1, 4, 1);
        using var up = ImagePreprocessing.resize_bilinear(ramp, 2, 1);

        // Output x samples source (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, ... 3.25; clamped to [0, 3] at the ends.
        float[] expected = { 0, 2.5f, 7.5f, 12.5f, 17.5f, 22.5f, 27.5f, 30 };
        Assert.That(up.shape, Is.EqualTo(new long[] { 1, 8, 1 }));
        Assert.That(up.flatten().data<float>().ToArray(), Is.EqualTo(expected).Within(1e-5));
    }

    [Test]
    public void ResizeBilinear_TwoDimensions_MatchesFormula()
    {
        // A 3x4 image v(y, x) = 10 y + x resized by 1.5: 3 * 1.5 = 4.5 rows round half to even to 4, 4 * 1.5 = 6 columns.
        using var image = tensor(Enumerable.Range(0, 12).Select(i => (float)(10 * (i / 4) + i % 4)).ToArray()).reshape(3, 4, 1);
        using var resized = ImagePreprocessing.resize_bilinear(image, 1.5, 1.5);

        Assert.That(resized.shape, Is.EqualTo(new long[] { 4, 6, 1 }));
        // The image is linear, so bilinear sampling returns the linear function at the clamped source position.
        for (int oy = 0; oy < 4; oy++)
        for (int ox = 0; ox < 6; ox++)
        {
            double sy = Math.Clamp((oy + 0.5) / 1.5 - 0.5, 0, 2), sx = Math.Clamp((ox + 0.5) / 1.5 - 0.5, 0, 3);
            Assert.That(resized[oy, ox, 0].item<float>(), Is.EqualTo(10 * sy + sx).Within(1e-4), $"({oy}, {ox})");
        }
    }
}
