using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Core.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Layers;

public class PaddingAndCroppingTests
{
    [Test]
    public void ZeroPadding2D_PlacesInputAtTopLeftOffset()
    {
        const int H = 2, W = 3, C = 2;
        using var x = TensorValues.Ramp(new long[] { 1, H, W, C }, offset: 1);
        using var y = new ZeroPadding2D(((1, 2), (3, 0))).Apply(x);
        Assert.That(y.shape, Is.EqualTo(new long[] { 1, H + 3, W + 3, C }));
        var xs = TensorValues.Of(x);
        var ys = TensorValues.Of(y);
        for (int r = 0; r < H + 3; r++)
        for (int col = 0; col < W + 3; col++)
        for (int c = 0; c < C; c++)
        {
            int ir = r - 1, ic = col - 3;
            var expected = ir >= 0 && ir < H && ic >= 0 && ic < W ? xs[(ir * W + ic) * C + c] : 0f;
            Assert.That(ys[((r * (W + 3)) + col) * C + c], Is.EqualTo(expected));
        }
    }

    [Test]
    public void ZeroPadding2D_Forms_AndConfig()
    {
        Assert.That(new ZeroPadding2D().padding, Is.EqualTo(new SpatialMargins(1, 1, 1, 1)));
        Assert.That(new ZeroPadding2D(3).padding, Is.EqualTo(new SpatialMargins(3, 3, 3, 3)));
        Assert.That(new ZeroPadding2D((1, 2)).padding, Is.EqualTo(new SpatialMargins(1, 1, 2, 2)));
        Assert.That(new ZeroPadding2D(((1, 2), (3, 4))).get_config()["padding"]!.ToJsonString(), Is.EqualTo("[[1,2],[3,4]]"));
        var fromPair = ZeroPadding2D.from_config(JsonNode.Parse("""{"padding": [2, 5], "name": "pad"}""")!.AsObject());
        Assert.That(fromPair.padding, Is.EqualTo(new SpatialMargins(2, 2, 5, 5)));
        Assert.That(fromPair.name, Is.EqualTo("pad"));
        Assert.That(new ZeroPadding2D((0, 1)).compute_output_shape(new Shape(null, null, 4, 3)).Single(),
            Is.EqualTo(new Shape(null, null, 6, 3)));
    }

    [Test]
    public void Cropping2D_RemovesBorders()
    {
        const int H = 4, W = 5, C = 2;
        using var x = TensorValues.Ramp(new long[] { 1, H, W, C });
        using var y = new Cropping2D(((1, 0), (0, 2))).Apply(x);
        Assert.That(y.shape, Is.EqualTo(new long[] { 1, 3, 3, C }));
        var xs = TensorValues.Of(x);
        var ys = TensorValues.Of(y);
        for (int r = 0; r < 3; r++)
        for (int col = 0; col < 3; col++)
        for (int c = 0; c < C; c++)
            Assert.That(ys[(r * 3 + col) * C + c], Is.EqualTo(xs[((r + 1) * W + col) * C + c]));
    }

    [Test]
    public void Cropping2D_Shapes_AndTooMuchCropping()
    {
        var crop = new Cropping2D((1, 2));
        Assert.That(crop.cropping, Is.EqualTo(new SpatialMargins(1, 1, 2, 2)));
        Assert.That(crop.compute_output_shape(new Shape(null, null, 7, 3)).Single(), Is.EqualTo(new Shape(null, null, 3, 3)));
        var error = Assert.Throws<LayerInputException>(() => crop.Apply(keras.Input(new Shape(2, 9, 3))));
        Assert.That(error!.Message, Does.Contain("removes the whole input"));
        Assert.That(new Cropping2D().cropping, Is.EqualTo(new SpatialMargins(0, 0, 0, 0)));
    }
}
