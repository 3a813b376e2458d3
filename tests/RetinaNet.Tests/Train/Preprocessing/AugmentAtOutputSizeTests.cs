using RetinaNet.Train.Demo;
using RetinaNet.Train.Preprocessing;
using RetinaNet.Train.Utils;
using SkiaSharp;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Train.Preprocessing;

/// <summary>
/// Warping straight to the network input size (one sampling) instead of warping the full image and then resizing:
/// the same transform and boxes, pixel values within interpolation rounding of the two-step result.
/// </summary>
public class AugmentAtOutputSizeTests
{
    static Tensor Bgr(SKBitmap bitmap)
    {
        var values = new float[bitmap.Height * bitmap.Width * 3];
        for (int y = 0; y < bitmap.Height; y++)
        for (int x = 0; x < bitmap.Width; x++)
        {
            var c = bitmap.GetPixel(x, y);
            var i = (y * bitmap.Width + x) * 3;
            (values[i], values[i + 1], values[i + 2]) = (c.Blue, c.Green, c.Red);
        }
        return tensor(values, new long[] { bitmap.Height, bitmap.Width, 3 });
    }

    // Upscaling (256 → 800, the demo's images at the default sides) and downscaling (700 → 160).
    [TestCase(256, 800, 1333)]
    [TestCase(700, 160, 200)]
    public void WarpAndResizeInOneSampling_StaysWithinOneGreyLevelOfWarpThenResize(int size, int minSide, int maxSide)
    {
        var (transformDraw, visualDraw) = Augmentation.training(true);
        var options = new GeneratorOptions { image_sizing = new ImageSizing(minSide, maxSide) };
        var generator = new MemoryGenerator(new[] { (size, size) }, options: options);
        for (int i = 0; i < 4; i++)
        {
            using var scope = NewDisposeScope();
            var (bitmap, _) = ShapesDataset.Render(seed: 5, index: i, size: size);
            Tensor raw;
            using (bitmap) raw = Bgr(bitmap);
            var random = new Random(i);
            var effect = visualDraw!(random);
            var transform = ImageTransform.adjust_transform_for_image(transformDraw!(random), raw, relative_translation: true);

            // Today's two steps: visual effect and warp at the file's size, then OpenCV's resize.
            var warped = ImageTransform.apply_transform(transform, effect.Apply(raw)).round().clamp(0, 255);
            var (twoStep, scale) = ImagePreprocessing.resize_image(warped, new ImageSizing(minSide, maxSide));
            twoStep = twoStep.round().clamp(0, 255);

            var boxes = MemoryGenerator.Boxes((10, 20, 60, 90, 1));
            var (oneStep, moved) = generator.augment_and_resize_group_entry(raw, boxes, effect, transform);

            Assert.That(oneStep.shape, Is.EqualTo(twoStep.shape));
            var meanDifference = (oneStep - twoStep).abs().mean().item<float>();
            Assert.That(meanDifference, Is.LessThanOrEqualTo(1.0f), $"image {i}: mean absolute difference in grey levels");
            var expectedBox = boxes.transformed(transform).scaled(scale).box(0);
            Assert.That(moved.box(0), Is.EqualTo(expectedBox), "boxes take the same transform and scale");
        }
    }

    [Test]
    public void WithoutResize_TheOneSamplingIsTheWarpItself()
    {
        var options = new GeneratorOptions { image_sizing = new ImageSizing(no_resize: true) };
        var generator = new MemoryGenerator(new[] { (40, 60) }, options: options);
        using var raw = generator.load_image(0);
        var transform = ImageTransform.adjust_transform_for_image(Transform.random_transform(new Random(3), min_rotation: -0.1, max_rotation: 0.1,
            min_translation: (-0.1, -0.1), max_translation: (0.1, 0.1), flip_x_chance: 0.5), raw, relative_translation: true);
        using var expected = ImageTransform.apply_transform(transform, raw).round().clamp(0, 255);
        var (actual, _) = generator.augment_and_resize_group_entry(raw, Annotations.Empty, null, transform);
        using (actual)
            Assert.That(actual.equal(expected).all().item<bool>(), Is.True);
    }

    [Test]
    public void ComposeWithResize_MapsPixelCentresAsOpenCvResize()
    {
        // Identity warp + scale 2: warped pixel x lands on 2x + 0.5, i.e. resized pixel d samples (d + 0.5) / 2 - 0.5.
        var composed = ImageTransform.compose_with_resize(Transform.translation((0, 0)), 2.0);
        Assert.That(composed[0, 0], Is.EqualTo(2.0));
        Assert.That(composed[0, 2], Is.EqualTo(0.5));
        Assert.That(composed[1, 2], Is.EqualTo(0.5));
        Assert.That(composed[2, 2], Is.EqualTo(1.0));
    }

    /// <summary>
    /// A large photo is sampled from its 8-bit pixels (never converted to float32 at its own size): the same values
    /// as sampling the float image, for every border mode and both interpolations, and the file's decode is the
    /// float reader's values.
    /// </summary>
    [TestCase("nearest", "linear")]
    [TestCase("constant", "linear")]
    [TestCase("reflect", "nearest")]
    [TestCase("wrap", "linear")]
    public void EightBitImage_IsSampledToTheFloatImagesValues(string fillMode, string interpolation)
    {
        using var scope = NewDisposeScope();
        var folder = Directory.CreateTempSubdirectory("rn-uint8").FullName;
        try
        {
            var (bitmap, _) = ShapesDataset.Render(seed: 8, index: 0, size: 300);
            var path = Path.Combine(folder, "image.png");
            using (bitmap)
            using (var data = bitmap.Encode(SKEncodedImageFormat.Png, 100))
            using (var stream = File.Create(path))
                data.SaveTo(stream);
            var bytes = ImageIO.read_image_bgr_uint8(path);
            var floats = ImageIO.read_image_bgr(path);
            Assert.That(bytes.dtype, Is.EqualTo(ScalarType.Byte));
            Assert.That(floats.equal(bytes.to_type(ScalarType.Float32)).all().item<bool>(), "the two readers' pixels");
            Assert.That(floats.equal(Bgr(SKBitmap.Decode(path))).all().item<bool>(), "Skia's own decode of the file");

            var parameters = new TransformParameters(fill_mode: fillMode, interpolation: interpolation);
            var (transformDraw, _) = Augmentation.training(true);
            for (int i = 0; i < 3; i++)
            {
                var transform = ImageTransform.compose_with_resize(
                    ImageTransform.adjust_transform_for_image(transformDraw!(new Random(i)), floats, relative_translation: true), 0.4);
                var fromFloats = ImageTransform.apply_transform(transform, floats, parameters, (120, 120));
                var fromBytes = ImageTransform.apply_transform(transform, bytes, parameters, (120, 120));
                Assert.That(fromBytes.dtype, Is.EqualTo(ScalarType.Float32));
                Assert.That(fromBytes.equal(fromFloats).all().item<bool>(), $"transform {i}");
            }
        }
        finally { Directory.Delete(folder, true); }
    }
}
