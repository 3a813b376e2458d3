using RetinaNet.Train.Utils;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Train.Preprocessing;

public class TransformTests
{
    private static readonly double[,] FlipX = { { -1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };

    [Test]
    public void TransformAabb_HorizontalFlipAboutImageCentre_GivesWidthMinusX2()
    {
        using var image = zeros(50, 100, 3);
        var flip = ImageTransform.adjust_transform_for_image(FlipX, image, relative_translation: true);

        var box = Transform.transform_aabb(flip, (10, 5, 30, 20));

        // x1' = W - x2, x2' = W - x1; y unchanged.
        Assert.That(box.x1, Is.EqualTo(100 - 30).Within(1e-9));
        Assert.That(box.x2, Is.EqualTo(100 - 10).Within(1e-9));
        Assert.That((box.y1, box.y2), Is.EqualTo((5.0, 20.0)));
    }

    [Test]
    public void TransformAabb_Rotation90AboutCentre_MovesBoxByHand()
    {
        using var image = zeros(60, 100, 3);
        var rotate = ImageTransform.adjust_transform_for_image(Transform.rotation(Math.PI / 2), image, relative_translation: true);

        var box = Transform.transform_aabb(rotate, (10, 20, 40, 25));

        // About c = (50, 30), (x, y) -> (cx - (y - cy), cy + (x - cx)): x' in [50 - (25 - 30), 50 - (20 - 30)],
        // y' in [30 + (10 - 50), 30 + (40 - 50)].
        Assert.That(box.x1, Is.EqualTo(55).Within(1e-9));
        Assert.That(box.x2, Is.EqualTo(60).Within(1e-9));
        Assert.That(box.y1, Is.EqualTo(-10).Within(1e-9));
        Assert.That(box.y2, Is.EqualTo(20).Within(1e-9));
    }

    [Test]
    public void AdjustTransformForImage_RelativeTranslation_IsScaledByImageSize()
    {
        using var image = zeros(50, 100, 3);
        var moved = ImageTransform.adjust_transform_for_image(Transform.translation((0.1, 0.2)), image, relative_translation: true);
        Assert.That((moved[0, 2], moved[1, 2]), Is.EqualTo((10.0, 10.0)));
        var absolute = ImageTransform.adjust_transform_for_image(Transform.translation((3, 4)), image, relative_translation: false);
        Assert.That((absolute[0, 2], absolute[1, 2]), Is.EqualTo((3.0, 4.0)));
    }

    [Test]
    public void ApplyTransform_HorizontalFlip_SamplesWidthMinusX_WithReplicatedEdge()
    {
        const int H = 3, W = 4;
        using var image = arange(H * W * 2, dtype: ScalarType.Float32).reshape(H, W, 2);
        var flip = ImageTransform.adjust_transform_for_image(FlipX, image, true);

        using var flipped = ImageTransform.apply_transform(flip, image);

        // warpAffine maps output pixel x to source x' = W - x; x' = W lies outside and replicates column W - 1.
        for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
        for (int c = 0; c < 2; c++)
        {
            int sx = Math.Min(W - x, W - 1);
            Assert.That(flipped[y, x, c].item<float>(), Is.EqualTo((y * W + sx) * 2 + c).Within(1e-4), $"({y}, {x}, {c})");
        }
    }

    [Test]
    public void ApplyTransform_Rotation90_MatchesMappingByHand()
    {
        const int N = 4;
        using var image = arange(N * N, dtype: ScalarType.Float32).reshape(N, N, 1);
        var rotate = ImageTransform.adjust_transform_for_image(Transform.rotation(Math.PI / 2), image, true);

        using var rotated = ImageTransform.apply_transform(rotate, image);

        // Forward map about (N/2, N/2): (x, y) -> (N - y, x), so output (X, Y) samples source column Y, row N - X
        // (row N is outside and replicates row N - 1).
        for (int Y = 0; Y < N; Y++)
        for (int X = 0; X < N; X++)
        {
            int row = Math.Min(N - X, N - 1), col = Y;
            Assert.That(rotated[Y, X, 0].item<float>(), Is.EqualTo(row * N + col).Within(1e-4), $"({Y}, {X})");
        }
    }

    [TestCase("constant", new float[] { 7, 7, 0, 10, 20 })]
    [TestCase("nearest", new float[] { 0, 0, 0, 10, 20 })]
    [TestCase("reflect", new float[] { 20, 10, 0, 10, 20 })]
    [TestCase("wrap", new float[] { 30, 40, 0, 10, 20 })]
    public void ApplyTransform_FillModes_FollowOpenCvBorders(string fillMode, float[] expected)
    {
        // Output x samples source x - 2 of the row [0, 10, 20, 30, 40].
        using var row = tensor(new float[] { 0, 10, 20, 30, 40 }).reshape(1, 5, 1);
        var parameters = new TransformParameters(fill_mode: fillMode, cval: 7);
        using var moved = ImageTransform.apply_transform(Transform.translation((2, 0)), row, parameters);
        Assert.That(moved.flatten().data<float>().ToArray(), Is.EqualTo(expected).Within(1e-4));
    }

    [Test]
    public void ApplyTransform_HalfPixelShift_InterpolatesLinearly_OrRoundsForNearest()
    {
        using var row = tensor(new float[] { 0, 10, 20, 30, 40 }).reshape(1, 5, 1);
        using var linear = ImageTransform.apply_transform(Transform.translation((0.5, 0)), row);
        // Output x samples x - 0.5: the average of its neighbours; x = 0 averages the replicated edge with itself.
        Assert.That(linear.flatten().data<float>().ToArray(), Is.EqualTo(new[] { 0, 5, 15, 25, 35 }).Within(1e-4));

        using var nearest = ImageTransform.apply_transform(Transform.translation((0.25, 0)), row, new TransformParameters(interpolation: "nearest"));
        // x - 0.25 rounds to x.
        Assert.That(nearest.flatten().data<float>().ToArray(), Is.EqualTo(new[] { 0, 10, 20, 30, 40 }).Within(1e-4));
    }

    [Test]
    public void RandomTransformGenerator_FlipOnly_GivesIdentityOrMirror_AboutHalfTheTime()
    {
        var (generator, effects) = Augmentation.training(random_transform: false);
        Assert.That(effects, Is.Null);
        var prng = new Random(5);
        int flips = 0;
        for (int i = 0; i < 400; i++)
        {
            var m = generator(prng);
            Assert.That(m[0, 0] is 1 or -1, Is.True);
            Assert.That(new[] { m[0, 1], m[0, 2], m[1, 0], m[1, 1], m[1, 2] }, Is.EqualTo(new double[] { 0, 0, 0, 1, 0 }).Within(1e-12));
            if (m[0, 0] < 0) flips++;
        }
        Assert.That(flips, Is.InRange(160, 240));
    }

    [Test]
    public void RandomTransform_SameSeed_SameMatrix_AndWithinRanges()
    {
        var (generator, effects) = Augmentation.training(random_transform: true);
        Assert.That(effects, Is.Not.Null);
        var a = generator(new Random(11));
        var b = generator(new Random(11));
        Assert.That(a, Is.EqualTo(b));
        // |det| = |scale_x * scale_y * cos(shear)| stays within the scaling and shear ranges.
        double det = Math.Abs(a[0, 0] * a[1, 1] - a[0, 1] * a[1, 0]);
        Assert.That(det, Is.InRange(0.9 * 0.9 * Math.Cos(0.1), 1.1 * 1.1));
    }

    [Test]
    public void ChangeTransformOrigin_KeepsTheCentreFixed()
    {
        var t = Transform.change_transform_origin(Transform.multiply(Transform.rotation(0.3), Transform.scaling((2, 0.5))), (7, -3));
        var (x, y) = Transform.apply(t, 7, -3);
        Assert.That(x, Is.EqualTo(7).Within(1e-12));
        Assert.That(y, Is.EqualTo(-3).Within(1e-12));
    }
}
