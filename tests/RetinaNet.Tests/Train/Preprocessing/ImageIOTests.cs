using RetinaNet.Train.Utils;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Train.Preprocessing;

public class ImageIOTests
{
    [Test]
    public void ReadImageBgr_ReturnsHwcFloatInBgrOrder()
    {
        using var data = new TestData();
        var path = data.WriteImage("rgb.png", 3, 2, (x, y) => ((byte)(10 * x), (byte)(100 + y), (byte)(200 + x + y)));

        using var image = ImageIO.read_image_bgr(path);

        Assert.That(image.shape, Is.EqualTo(new long[] { 2, 3, 3 }));
        Assert.That(image.dtype, Is.EqualTo(ScalarType.Float32));
        for (int y = 0; y < 2; y++)
        for (int x = 0; x < 3; x++)
        {
            Assert.That(image[y, x, 0].item<float>(), Is.EqualTo(200 + x + y), "blue");
            Assert.That(image[y, x, 1].item<float>(), Is.EqualTo(100 + y), "green");
            Assert.That(image[y, x, 2].item<float>(), Is.EqualTo(10 * x), "red");
        }
        Assert.That(ImageIO.read_image_size(path), Is.EqualTo((3, 2)));
    }

    [Test]
    public void ReadImageBgr_Grayscale_IsReplicatedToThreeChannels()
    {
        using var data = new TestData();
        var path = data.WriteGrayPng("gray.png", 4, 1, 8, (x, _) => 60 * x);

        using var image = ImageIO.read_image_bgr(path);

        Assert.That(image.shape, Is.EqualTo(new long[] { 1, 4, 3 }));
        for (int x = 0; x < 4; x++)
        for (int c = 0; c < 3; c++)
            Assert.That(image[0, x, c].item<float>(), Is.EqualTo(60 * x));
    }

    [Test]
    public void ReadImageBgr_SixteenBitPng_IsScaledToEightBits()
    {
        using var data = new TestData();
        int[] samples = { 0, 257 * 100, 65535 };
        var path = data.WriteGrayPng("gray16.png", 3, 1, 16, (x, _) => samples[x]);

        using var image = ImageIO.read_image_bgr(path);

        // v16 / 65535 * 255 = v16 / 257 exactly for these samples.
        for (int x = 0; x < 3; x++)
            Assert.That(image[0, x, 1].item<float>(), Is.EqualTo(samples[x] / 257));
    }

    [Test]
    public void ReadImageBgr_MissingOrCorruptFile_NamesTheFile()
    {
        using var data = new TestData();
        var missing = data.PathOf("missing.jpg");
        var corrupt = data.WriteText("corrupt.png", "this is not an image");

        var notFound = Assert.Throws<FileNotFoundException>(() => ImageIO.read_image_bgr(missing).Dispose());
        Assert.That(notFound!.Message, Does.Contain(missing));
        var invalid = Assert.Throws<InvalidDataException>(() => ImageIO.read_image_bgr(corrupt).Dispose());
        Assert.That(invalid!.Message, Does.Contain(corrupt));
    }

    [Test]
    public void WriteImage_PngRoundTripsRoundedValues()
    {
        using var data = new TestData();
        using var image = tensor(new float[] { 0, 1.4f, 254.6f, 300, -5, 7, 8, 9, 10, 11, 12, 13 }).reshape(2, 2, 3);
        var path = data.PathOf("out/drawn.png");

        ImageIO.write_image(path, image);
        using var back = ImageIO.read_image_bgr(path);

        float[] expected = { 0, 1, 255, 255, 0, 7, 8, 9, 10, 11, 12, 13 };
        Assert.That(back.flatten().data<float>().ToArray(), Is.EqualTo(expected));
    }
}
