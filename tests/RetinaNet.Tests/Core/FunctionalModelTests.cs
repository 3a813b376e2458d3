using RetinaNet.Core;
using RetinaNet.Core.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core;

public class FunctionalModelTests
{
    [SetUp]
    public void ResetNames() => keras.backend.clear_session();

    [Test]
    public void SharedSubModel_AppliedTwice_HasOneSetOfWeights()
    {
        var headInput = keras.Input(new Shape(null, null, 4));
        var head = keras.Model(headInput, new Conv2D(2, 1, name: "head_conv").Apply(headInput), name: "head");

        var a = keras.Input(new Shape(null, null, 4), name: "a");
        var b = keras.Input(new Shape(null, null, 4), name: "b");
        var model = keras.Model(new[] { a, b }, new KerasTensors(head.Apply(a), head.Apply(b)));

        Assert.That(model.weights, Has.Count.EqualTo(2), "kernel and bias once, not once per call");
        Assert.That(model.count_params(), Is.EqualTo(4 * 2 + 2));
        Assert.That(head.inbound_nodes, Has.Count.EqualTo(3), "its own input node's call plus two calls in the outer model");

        using var x = randn(1, 3, 3, 4);
        var outputs = model.Apply(new Tensors(x, x));
        Assert.That(outputs[0].allclose(outputs[1]), Is.True, "same weights give the same result on the same input");
    }

    [Test]
    public void ComputeOutputShape_WithNoneDims_PropagatesThroughGraphAndSubModels()
    {
        var headInput = keras.Input(new Shape(null, null, 8));
        var head = keras.Model(headInput, new Conv2D(3, 3, strides: 2, padding: "same").Apply(headInput));
        var input = keras.Input(new Shape(null, 16, 8));
        var output = head.Apply(input);
        Assert.That(output.shape, Is.EqualTo(new Shape(null, null, 8, 3)));
        Assert.That(head.compute_output_shape(new Shape(2, 9, 9, 8)).Single(), Is.EqualTo(new Shape(2, 5, 5, 3)));
    }

    [Test]
    public void Layers_AreOrderedLikeKeras_InputsFirstThenByDepth()
    {
        // x -> c1 -> c2 ; x -> c3 ; out = [c2, c3]: Keras lists input, then c1 and c3 (depth 1 and ... ) by depth.
        var x = keras.Input(new Shape(4), name: "x");
        var c1 = new Dense(2, name: "c1").Apply(x);
        var c2 = new Dense(2, name: "c2").Apply(c1);
        var c3 = new Dense(2, name: "c3").Apply(x);
        var model = keras.Model(x, new KerasTensors(c2, c3));
        // Depths from the outputs: c2 0, c3 0, c1 1, x 2. Within a depth, order of first visit from the outputs.
        Assert.That(model.layers.Select(l => l.name), Is.EqualTo(new[] { "x", "c1", "c2", "c3" }));
        Assert.That(model.output_names, Is.EqualTo(new[] { "c2", "c3" }));
    }

    [Test]
    public void GetLayer_ByNameAndIndex_AndUnknownNameErrorListsLayers()
    {
        var x = keras.Input(new Shape(3), name: "in");
        var model = keras.Model(x, new Dense(1, name: "out").Apply(x));
        Assert.That(model.get_layer("out"), Is.InstanceOf<Dense>());
        Assert.That(model.get_layer(0).name, Is.EqualTo("in"));
        var e = Assert.Throws<ArgumentException>(() => model.get_layer("nope"));
        Assert.That(e!.Message, Does.Contain("nope").And.Contain("in, out"));
    }

    [Test]
    public void CallingModelOnWrongNumberOfInputs_SaysSo()
    {
        var a = keras.Input(new Shape(3), name: "a");
        var b = keras.Input(new Shape(3), name: "b");
        var model = keras.Model(new[] { a, b }, new Dense(1).Apply(a));
        using var t = randn(1, 3);
        var e = Assert.Throws<LayerInputException>(() => model.Apply(t));
        Assert.That(e!.Message, Does.Contain("expects 2 input(s)").And.Contain("called on 1"));
    }

    [Test]
    public void SharedLayer_OnIncompatibleChannels_NamesLayerShapeAndSource()
    {
        var conv = new Conv2D(4, 1, name: "shared");
        var a = keras.Input(new Shape(null, null, 3), name: "three");
        var b = keras.Input(new Shape(null, null, 5), name: "five");
        conv.Apply(a);
        var e = Assert.Throws<LayerInputException>(() => conv.Apply(b));
        Assert.That(e!.Message, Does.Contain("'shared'").And.Contain("(None, None, None, 5)").And.Contain("'five'")
            .And.Contain("axis -1").And.Contain("value 3"));
    }

    [Test]
    public void SingleInputLayer_CalledOnTwoInputs_SaysItExpectsOne()
    {
        var a = keras.Input(new Shape(null, null, 3));
        var b = keras.Input(new Shape(null, null, 3));
        var e = Assert.Throws<LayerInputException>(() => new Conv2D(4, 1, name: "single").Apply(new KerasTensors(a, b)));
        Assert.That(e!.Message, Does.Contain("'single'").And.Contain("expects a single input").And.Contain("2 inputs"));
    }

    [Test]
    public void DisconnectedGraph_IsRejectedWithTheMissingInput()
    {
        var a = keras.Input(new Shape(3), name: "used");
        var hidden = keras.Input(new Shape(3), name: "hidden");
        var y = new Dense(1).Apply(hidden);
        var e = Assert.Throws<ArgumentException>(() => keras.Model(a, y));
        Assert.That(e!.Message, Does.Contain("Graph disconnected").And.Contain("hidden"));
    }

    [Test]
    public void Summary_ListsLayersShapesAndParameterCounts()
    {
        var x = keras.Input(new Shape(null, null, 3), name: "image");
        var y = new Conv2D(8, 3, padding: "same", name: "conv").Apply(x);
        var model = keras.Model(x, y, name: "tiny");
        var text = model.summary_text();
        Assert.That(text, Does.Contain("Model: \"tiny\"").And.Contain("conv (Conv2D)").And.Contain("(None, None, None, 8)")
            .And.Contain("Total params: 224").And.Contain("Trainable params: 224").And.Contain("Non-trainable params: 0"));
    }

    [Test]
    public void Freezing_ModelMarksAllWeightsNonTrainable()
    {
        var x = keras.Input(new Shape(3));
        var model = keras.Model(x, new Dense(2).Apply(x));
        model.trainable = false;
        Assert.That(model.trainable_weights, Is.Empty);
        Assert.That(model.non_trainable_weights, Has.Count.EqualTo(2));
        Assert.That(model.weights.All(w => !w.value.requires_grad), Is.True);
    }
}
