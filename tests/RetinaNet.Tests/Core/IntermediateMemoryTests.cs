using RetinaNet.Core;
using RetinaNet.Core.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core;

/// <summary>
/// A model run frees each intermediate tensor after its last reader and each layer's temporaries when the layer
/// returns, and never touches what the caller owns: inputs, outputs, weights, tensors shared by several graph edges.
/// </summary>
public class IntermediateMemoryTests
{
    [SetUp]
    public void ResetNames() => keras.backend.clear_session();

    /// <summary>Records every tensor it returns (and a temporary it made), doubling its input.</summary>
    sealed class Recording(string name) : Layer(name)
    {
        public List<Tensor> Returned { get; } = new();
        public List<Tensor> Temporaries { get; } = new();
        public override Tensors call(Tensors inputs, bool training = false)
        {
            Tensor x = inputs;
            var temporary = x * 1;
            Temporaries.Add(temporary);
            var y = temporary + x;
            Returned.Add(y);
            return y;
        }
        public override Shapes compute_output_shape(Shapes input_shape) => input_shape;
    }

    /// <summary>Returns its input object itself.</summary>
    sealed class Identity(string name) : Layer(name)
    {
        public override Tensors call(Tensors inputs, bool training = false) => inputs;
        public override Shapes compute_output_shape(Shapes input_shape) => input_shape;
    }

    /// <summary>Returns its own weight (as a layer exposing a learned constant might).</summary>
    sealed class WeightOutput(string name) : Layer(name)
    {
        KerasVariable? constant;
        public override void build(Shapes input_shape)
        {
            constant = add_weight("constant", new Shape(2), "ones");
            base.build(input_shape);
        }
        public override Tensors call(Tensors inputs, bool training = false) => (Tensor)constant!.value;
        public override Shapes compute_output_shape(Shapes input_shape) => new Shape(2);
    }

    [Test]
    public void Intermediates_AreDisposedAfterTheirLastReader_OutputsAndInputsAreNot()
    {
        var input = keras.Input(new Shape(3));
        var first = new Recording("first");
        var second = new Recording("second");
        var h = first.Apply(input);
        // h is read twice (by second and by add); it must live until both have run.
        var output = new Add().Apply(new KerasTensors(second.Apply(h), h));
        var model = keras.Model(input, output);

        using var x = tensor(new float[] { 1, 2, 3 }).reshape(1, 3);
        using var y = model.predict_on_batch(x).Single();

        Assert.That(y.data<float>().ToArray(), Is.EqualTo(new float[] { 6, 12, 18 }), "(2x)·2 + 2x");
        Assert.That(first.Returned.Single().IsInvalid, Is.True, "first's output is freed after its last reader");
        Assert.That(second.Returned.Single().IsInvalid, Is.True);
        Assert.That(first.Temporaries.Single().IsInvalid, Is.True, "a layer's temporaries are freed when it returns");
        Assert.That(x.IsInvalid, Is.False, "the caller's input stays");
        Assert.That(y.IsInvalid, Is.False);
    }

    [Test]
    public void TensorReturnedByAnIdentityLayer_LivesUntilTheLastReaderOfEitherName()
    {
        var input = keras.Input(new Shape(3));
        var first = new Recording("first");
        var h = first.Apply(input);
        var same = new Identity("same").Apply(h);
        var late = new Recording("late").Apply(same);
        var model = keras.Model(input, new KerasTensors(late, same));

        using var x = tensor(new float[] { 1, 2, 3 }).reshape(1, 3);
        var outputs = model.predict_on_batch(x);
        Assert.That(outputs[1].IsInvalid, Is.False, "the identity's output is a model output, and the same object as h");
        Assert.That(outputs[1].data<float>().ToArray(), Is.EqualTo(new float[] { 2, 4, 6 }));
        Assert.That(outputs[0].data<float>().ToArray(), Is.EqualTo(new float[] { 4, 8, 12 }));
    }

    [Test]
    public void AWeightReturnedByALayer_IsNotDisposed()
    {
        var input = keras.Input(new Shape(3));
        var layer = new WeightOutput("constant");
        var model = keras.Model(input, new Recording("after").Apply(layer.Apply(input)));
        using var x = ones(1, 3);
        model.predict_on_batch(x);
        var again = model.predict_on_batch(x).Single();
        Assert.That(layer.weights.Single().value.IsInvalid, Is.False);
        Assert.That(again.data<float>().ToArray(), Is.EqualTo(new float[] { 2, 2 }));
    }

    [Test]
    public void Training_StillGetsGradientsThroughFreedIntermediates()
    {
        var input = keras.Input(new Shape(4));
        var hidden = new Dense(8, activation: "relu").Apply(input);
        var model = keras.Model(input, new Dense(1).Apply(new Recording("double").Apply(hidden)));
        model.compile(new SGD(learning_rate: 0.05), "mse");
        using var x = randn(32, 4, generator: new TorchSharp.torch.Generator(1));
        using var target = x.sum(1, keepdim: true);
        var before = model.evaluate(x, target)["loss"];
        for (int i = 0; i < 30; i++) model.train_on_batch(x, target);
        Assert.That(model.evaluate(x, target)["loss"], Is.LessThan(before));
    }

    /// <summary>Conv → BatchNormalization (moving statistics) → ReLU, plus a residual Add, with random weights.</summary>
    static (Model model, Layer[] layers) ResidualBlock()
    {
        var input = keras.Input(new Shape(6, 6, 4));
        var conv = new Conv2D(4, 3, padding: "same", name: "conv");
        var bn = new BatchNormalization(name: "bn");
        var relu = new Activation("relu", name: "relu");
        var add = new Add(name: "add");
        var last = new ReLU(name: "last");
        var h = conv.Apply(input);
        var y = last.Apply(add.Apply(new KerasTensors(relu.Apply(bn.Apply(h)), h)));
        var model = keras.Model(input, y);
        // Non-trivial moving statistics, so that normalising really changes values.
        bn.set_weights(new[] { rand(4) + 0.5, randn(4), randn(4), rand(4) + 0.5 });
        return (model, new Layer[] { conv, bn, relu, add, last });
    }

    [Test]
    public void Inference_OverwritingLastUses_GivesTheSameNumbers_AsLayerByLayerCalls()
    {
        var (model, layers) = ResidualBlock();
        using var x = randn(2, 6, 6, 4, generator: new TorchSharp.torch.Generator(3));
        using var _ = no_grad();
        // Outside a model nothing is overwritable: these are plain out-of-place calls.
        var h = layers[0].Apply(x);
        var expected = layers[4].Apply(layers[3].Apply(new Tensors(layers[2].Apply(layers[1].Apply(h)), h)).Single());
        var actual = model.predict_on_batch(x).Single();
        Assert.That(actual.allclose(expected, rtol: 0, atol: 0), Is.True);
        Assert.That(x.allclose(randn(2, 6, 6, 4, generator: new TorchSharp.torch.Generator(3)), rtol: 0, atol: 0), Is.True,
            "the caller's input is never written");
    }

    [Test]
    public void ATensorWithAView_OrReadTwiceByOneLayer_OrReturned_IsNotOverwritten()
    {
        var input = keras.Input(new Shape(2, 2, 3));
        var conv = new Conv2D(3, 1, name: "conv");
        var h = conv.Apply(input);
        var view = new Reshape(new long[] { 12 }, name: "view").Apply(h);      // a view of h's memory
        var normalised = new BatchNormalization(name: "bn").Apply(h);       // h's last reader
        var doubled = new Add(name: "twice").Apply(new KerasTensors(normalised, normalised));
        var rectified = new Activation("relu", name: "relu").Apply(h);     // h is also an output below
        var model = keras.Model(input, new KerasTensors(view, doubled, h, rectified));
        var bn = (BatchNormalization)model.get_layer("bn");
        bn.set_weights(new[] { full(3, 2f), full(3, 1f), zeros(3), ones(3) });

        using var x = randn(1, 2, 2, 3);
        var outputs = model.predict_on_batch(x);
        using var _ = no_grad();
        var expectedH = conv.Apply(x);
        Assert.That(outputs[2].allclose(expectedH, rtol: 0, atol: 0), Is.True, "a returned tensor is not overwritten");
        Assert.That(outputs[0].allclose(expectedH.reshape(1, 12), rtol: 0, atol: 0), Is.True, "the view still shows h");
        var expectedNormalised = bn.Apply(expectedH);
        Assert.That(outputs[1].allclose(expectedNormalised * 2, rtol: 1e-6, atol: 1e-6), Is.True, "Add()([n, n]) is 2n");
        Assert.That(outputs[3].allclose(expectedH.relu(), rtol: 0, atol: 0), Is.True);
    }

    [Test]
    public void Training_NeverOverwrites_SoGradientsMatchAnUnfusedComputation()
    {
        var (model, layers) = ResidualBlock();
        using var x = randn(2, 6, 6, 4);
        var output = model.Apply(x);
        output.sum().backward();
        var kernel = layers[0].weights[0].value;
        var fromModel = kernel.grad!.clone();
        kernel.grad = null;
        var h = layers[0].Apply(x);
        layers[4].Apply(layers[3].Apply(new Tensors(layers[2].Apply(layers[1].Apply(h)), h)).Single()).sum().backward();
        Assert.That(fromModel.allclose(kernel.grad!, rtol: 1e-5, atol: 1e-6), Is.True);
    }
}
