using RetinaNet.Core;
using RetinaNet.Core.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Layers;

/// <summary>Add, Subtract, Multiply and Concatenate.</summary>
public class MergeTests
{
    [Test]
    public void Add_Subtract_Multiply_ComputeElementwise()
    {
        using var a = randn(2, 3, 4);
        using var b = randn(2, 3, 4);
        using var c = randn(2, 3, 4);
        using Tensor sum = new Add().Apply(new Tensors(a, b, c));
        using Tensor difference = new Subtract().Apply(new Tensors(a, b));
        using Tensor product = new Multiply().Apply(new Tensors(a, b, c));
        var (xa, xb, xc) = (TensorValues.Of(a), TensorValues.Of(b), TensorValues.Of(c));
        Assert.That(TensorValues.Of(sum), Is.EqualTo(xa.Select((v, i) => v + xb[i] + xc[i]).ToArray()).Within(1e-5));
        Assert.That(TensorValues.Of(difference), Is.EqualTo(xa.Select((v, i) => v - xb[i]).ToArray()).Within(1e-5));
        Assert.That(TensorValues.Of(product), Is.EqualTo(xa.Select((v, i) => v * xb[i] * xc[i]).ToArray()).Within(1e-5));
    }

    /// <summary>Keras 2 broadcasting: size-1 axes stretch; a lower-rank input gets axes inserted after the batch.</summary>
    [Test]
    public void Add_Broadcasts_LikeKeras()
    {
        var add = new Add();
        Assert.That(add.compute_output_shape(new Shapes(new[] { new Shape(null, 1, 5), new Shape(null, 4, 1) })).Single(),
            Is.EqualTo(new Shape(null, 4, 5)));
        Assert.That(add.compute_output_shape(new Shapes(new[] { new Shape(null, null, 8), new Shape(3, 8) })).Single(),
            Is.EqualTo(new Shape(3, null, 8)));
        using var big = randn(2, 3, 4);
        using var small = randn(2, 4);
        using Tensor y = add.Apply(new Tensors(big, small));
        var (xb, xs, ys) = (TensorValues.Of(big), TensorValues.Of(small), TensorValues.Of(y));
        for (int n = 0; n < 2; n++)
        for (int i = 0; i < 3; i++)
        for (int j = 0; j < 4; j++)
            Assert.That(ys[(n * 3 + i) * 4 + j], Is.EqualTo(xb[(n * 3 + i) * 4 + j] + xs[n * 4 + j]).Within(1e-6));
    }

    /// <summary>In a functional graph the error names the layer, both source layers and both shapes.</summary>
    [Test]
    public void Add_IncompatibleShapesInGraph_NamesSourcesAndShapes()
    {
        var left = keras.Input(new Shape(4, 4, 8), name: "left_features");
        var right = keras.Input(new Shape(4, 4, 16), name: "right_features");
        var add = new Add(name: "merge");
        var error = Assert.Throws<LayerInputException>(() => add.Apply(new KerasTensors(left, right)));
        Assert.That(error!.Message, Does.Contain("'merge'"));
        Assert.That(error.Message, Does.Contain("(None, 4, 4, 8) from layer 'left_features'"));
        Assert.That(error.Message, Does.Contain("(None, 4, 4, 16) from layer 'right_features'"));
        Assert.That(error.Message, Does.Contain("could not be broadcast"));
    }

    [Test]
    public void Add_WithOneInput_SaysSo()
    {
        var x = keras.Input(new Shape(4), name: "only");
        var single = Assert.Throws<LayerInputException>(() => new Add().Apply(x));
        Assert.That(single!.Message, Does.Contain("should be called on a list of inputs"));
        var listOfOne = Assert.Throws<LayerInputException>(() => new Add().Apply(new KerasTensors(x)));
        Assert.That(listOfOne!.Message, Does.Contain("at least 2 inputs. Got 1 input"));
        Assert.That(listOfOne.Message, Does.Contain("'only'"));
        var three = Assert.Throws<LayerInputException>(() => new Subtract().Apply(new KerasTensors(x, x, x)));
        Assert.That(three!.Message, Does.Contain("exactly 2 inputs"));
    }

    [Test]
    public void Add_IncompatibleEagerTensors_AfterBuild_RaiseLayerInputException()
    {
        var add = new Add(name: "eager_add");
        add.Apply(new Tensors(zeros(1, 3), zeros(1, 3))).Single().Dispose();
        var error = Assert.Throws<LayerInputException>(() => add.Apply(new Tensors(zeros(1, 3), zeros(1, 4))));
        Assert.That(error!.Message, Does.Contain("'eager_add'").And.Contain("(1, 3)").And.Contain("(1, 4)"));
    }

    [Test]
    public void Concatenate_OutputShape_SumsAxis_NullStaysNull()
    {
        var last = new Concatenate();
        Assert.That(last.compute_output_shape(new Shapes(new[] { new Shape(null, 4, 2), new Shape(null, 4, 3) })).Single(),
            Is.EqualTo(new Shape(null, 4, 5)));
        Assert.That(last.compute_output_shape(new Shapes(new[] { new Shape(null, 4, null), new Shape(null, 4, 3) })).Single(),
            Is.EqualTo(new Shape(null, 4, null)));
        var first = new Concatenate(axis: 1);
        Assert.That(first.compute_output_shape(new Shapes(new[] { new Shape(null, 2, null), new Shape(null, null, 3) })).Single(),
            Is.EqualTo(new Shape(null, null, 3)));
        Assert.That(first.compute_output_shape(new Shapes(new[] { new Shape(null, 2, 3), new Shape(null, 5, 3), new Shape(null, 1, 3) })).Single(),
            Is.EqualTo(new Shape(null, 8, 3)));
    }

    [Test]
    public void Concatenate_MismatchedOtherAxis_IsAnError()
    {
        var a = keras.Input(new Shape(4, 3), name: "a");
        var b = keras.Input(new Shape(5, 3), name: "b");
        var error = Assert.Throws<LayerInputException>(() => new Concatenate().Apply(new KerasTensors(a, b)));
        Assert.That(error!.Message, Does.Contain("matching shapes except for the concatenation axis"));
        Assert.That(error.Message, Does.Contain("'a'").And.Contain("'b'"));
        var ok = new Concatenate(axis: 1).Apply(new KerasTensors(a, b));
        Assert.That(ok.shape, Is.EqualTo(new Shape(null, 9, 3)));
    }

    [Test]
    public void Concatenate_JoinsValues()
    {
        using var a = TensorValues.Ramp(new long[] { 1, 2, 2 });
        using var b = TensorValues.Ramp(new long[] { 1, 2, 1 }, offset: 100);
        using Tensor y = new Concatenate().Apply(new Tensors(a, b));
        Assert.That(TensorValues.Of(y), Is.EqualTo(new[] { 0f, 1f, 100f, 2f, 3f, 101f }));
    }
}
