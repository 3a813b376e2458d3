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
}
