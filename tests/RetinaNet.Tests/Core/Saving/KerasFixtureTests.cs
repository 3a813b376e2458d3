using System.Text.Json.Nodes;
using PureHDF;
using RetinaNet.Core;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Saving;

/// <summary>Files written by Python Keras (see Fixtures/keras-h5/ORIGIN.md), checked against values read directly with PureHDF.</summary>
public class KerasFixtureTests : H5TestBase
{
    static float[] ReadAsFloats(IH5Dataset dataset) => dataset.Type.Class == H5DataTypeClass.FixedPoint
        ? dataset.Read<long[]>().Select(v => (float)v).ToArray()
        : dataset.Read<float[]>();

    static Tensor ReadTensor(IH5Group file, string path)
    {
        var dataset = file.Dataset(path);
        var shape = dataset.Space.Type == H5DataspaceType.Scalar ? Array.Empty<long>() : dataset.Space.Dimensions.Select(d => (long)d).ToArray();
        return tensor(ReadAsFloats(dataset), shape);
    }

    static void AssertLayerWeightsEqualFile(Layer layer, IH5Group file, string groupPath)
    {
        var names = file.Group(groupPath).Attribute("weight_names").Read<string[]>();
        var weights = layer.get_weights();
        Assert.That(weights, Has.Count.EqualTo(names.Length), $"{layer.name} weight count");
        for (int i = 0; i < names.Length; i++)
        {
            using var expected = ReadTensor(file, $"{groupPath}/{names[i]}");
            Assert.That(TensorCompare.Same(weights[i], expected), Is.True, $"{layer.name} weight {names[i]}");
        }
    }

    // ---- keras-attention.h5: Keras 2.11 Functional model with an Attention layer ----

    static Dictionary<string, object> AttentionObjects()
    {
        var custom = new Dictionary<string, object>();
        if (KerasObjects.Resolve("Attention") is null) custom["Attention"] = typeof(DotProductAttention);
        return custom;
    }

    [Test]
    public void KerasAttention_LayersInConfigOrder_WeightsInTheirLayers_OutputsFollowTheGraph()
    {
        Assume.That(KerasObjects.Resolve("Concatenate") is not null, "Concatenate lands with the standard-layers branch");
        var path = Fixture("keras-attention.h5");

        var model = keras.models.load_model(path, AttentionObjects(), compile: false);

        using var file = H5File.OpenRead(path);
        var config = JsonNode.Parse(file.Attribute("model_config").Read<string>())!;
        var configNames = config["config"]!["layers"]!.AsArray().Select(l => l!["name"]!.GetValue<string>()).ToList();
        Assert.That(model.layers.Select(l => l.name), Is.EqualTo(configNames));
        foreach (var name in new[] { "dense", "dense_1", "outputs" })
            AssertLayerWeightsEqualFile(model.get_layer(name), file, $"model_weights/{name}");

        // The graph by hand: dense(relu) → dot-product attention(h, h) → concat[h, att] → dense_1(relu) → outputs(relu).
        Tensor W(string layer, string w) => ReadTensor(file, $"model_weights/{layer}/{layer}/{w}:0");
        using var scope = NewDisposeScope();
        var x = randn(5, 22, generator: new TorchSharp.torch.Generator(7));
        var h = (x.matmul(W("dense", "kernel")) + W("dense", "bias")).relu();
        var attention = h.matmul(h.t()).softmax(-1).matmul(h);
        var h2 = (cat(new[] { h, attention }, -1).matmul(W("dense_1", "kernel")) + W("dense_1", "bias")).relu();
        var expected = (h2.matmul(W("outputs", "kernel")) + W("outputs", "bias")).relu();
        var actual = model.Apply(x);
        Assert.That(actual.allclose(expected, 1e-4, 1e-5), Is.True);
    }

    [Test]
    public void KerasAttention_CompilesWithRegisteredNameOptimizer_AndWarnsThatItsStateDoesNotFit()
    {
        Assume.That(KerasObjects.Resolve("Concatenate") is not null, "Concatenate lands with the standard-layers branch");
        var custom = AttentionObjects();
        custom["Custom>Adam"] = typeof(TinyAdam);
        custom["mean_squared_error"] = typeof(TestMeanSquaredError);
        var warnings = new List<string>();

        var model = keras.models.load_model(Fixture("keras-attention.h5"), custom, warn: warnings.Add);

        Assert.That(model.is_compiled, Is.True);
        Assert.That(((TinyAdam)model.optimizer!).learning_rate, Is.EqualTo(0.004999999888241291));
        Assert.That(model.losses["outputs"], Is.TypeOf<TestMeanSquaredError>());
        // The Keras 2.11 optimizer saved only its iteration count, which is not Adam's full state.
        Assert.That(warnings, Has.One.StartsWith("Error in loading the saved optimizer state"));
        Assert.That(model.optimizer!.iterations, Is.EqualTo(0));
    }

    // ---- FashionMNIST.h5 / FashionMNIST_weights.h5: Keras 2.9 Sequential with QKeras' QConv2DBatchnorm ----

    static Dictionary<string, object> QKeras() => new() { ["QConv2DBatchnorm"] = typeof(QConv2DBatchnorm) };

    [Test]
    public void FashionMnist_SequentialWithCustomLayer_LoadsEveryWeightInSavedOrder()
    {
        var path = Fixture("FashionMNIST.h5");

        var model = keras.models.load_model(path, QKeras(), compile: false);

        Assert.That(model.name, Is.EqualTo("sequential"));
        Assert.That(model.layers.Select(l => l.name), Is.EqualTo(new[] { "q_conv2d_batchnorm_input", "q_conv2d_batchnorm" }));
        Assert.That(model.outputs[0].shape, Is.EqualTo(new Shape(null, 112, 112, 8)));
        using var file = H5File.OpenRead(path);
        // Seven weights, the int64 scalar iteration:0 among them, converted to the variable's float32.
        AssertLayerWeightsEqualFile(model.get_layer("q_conv2d_batchnorm"), file, "model_weights/q_conv2d_batchnorm");
    }

    [Test]
    public void FashionMnist_WithoutCustomObjects_ErrorNamesTheClassAndLayer()
    {
        var e = Assert.Throws<KerasFileException>(() => keras.models.load_model(Fixture("FashionMNIST.h5")))!;

        Assert.That(e.Message, Does.Contain("Unknown layer: 'QConv2DBatchnorm'").And.Contain("layer 'q_conv2d_batchnorm'"));
        Assert.That(e.Message, Does.Contain("FashionMNIST.h5"));
    }

    [Test]
    public void FashionMnist_Compiles_RestoresOptimizerState_AndSurvivesASecondSave()
    {
        var path = Fixture("FashionMNIST.h5");
        var custom = QKeras();
        custom["Adam"] = typeof(TinyAdam);
        custom["sparse_categorical_crossentropy"] = typeof(TestSparseCategoricalCrossentropy);

        var model = keras.models.load_model(path, custom, warn: w => Assert.Fail("unexpected warning: " + w));

        Assert.That(model.is_compiled, Is.True);
        Assert.That(model.losses["q_conv2d_batchnorm"], Is.TypeOf<TestSparseCategoricalCrossentropy>());
        var optimizer = (TinyAdam)model.optimizer!;
        using (var file = H5File.OpenRead(path))
        {
            var training = JsonNode.Parse(file.Attribute("training_config").Read<string>())!;
            Assert.That(optimizer.learning_rate, Is.EqualTo(training["optimizer_config"]!["config"]!["learning_rate"]!.GetValue<double>()));
            Assert.That(optimizer.iterations, Is.EqualTo(file.Dataset("optimizer_weights/Adam/iter:0").Read<long>()));
            var state = optimizer.get_weights();
            using var m = ReadTensor(file, "optimizer_weights/Adam/q_conv2d_batchnorm/kernel/m:0");
            using var v = ReadTensor(file, "optimizer_weights/Adam/q_conv2d_batchnorm/batch_normalization/beta/v:0");
            Assert.That(TensorCompare.Same(state[1], m), Is.True);
            Assert.That(TensorCompare.Same(state[8], v), Is.True);
        }

        var copy = Temp("fashion-copy.h5");
        model.save(copy);
        custom["TinyAdam"] = typeof(TinyAdam);
        custom["TestSparseCategoricalCrossentropy"] = typeof(TestSparseCategoricalCrossentropy);
        var reloaded = keras.models.load_model(copy, custom, warn: w => Assert.Fail("unexpected warning: " + w));

        var before = model.optimizer!.get_weights();
        var after = reloaded.optimizer!.get_weights();
        Assert.That(after, Has.Count.EqualTo(9));
        for (int i = 0; i < before.Count; i++) Assert.That(TensorCompare.Same(after[i], before[i]), Is.True, $"optimizer weight {i}");
        var weightsBefore = model.get_weights();
        var weightsAfter = reloaded.get_weights();
        for (int i = 0; i < weightsBefore.Count; i++) Assert.That(TensorCompare.Same(weightsAfter[i], weightsBefore[i]), Is.True);
    }

    [Test]
    public void FashionMnistWeights_LoadIntoTheModelBuiltInCode()
    {
        var path = Fixture("FashionMNIST_weights.h5");
        var input = keras.Input(new Shape(224, 224, 3));
        var layer = new QConv2DBatchnorm(8, 3, strides: 2, padding: "same", activation: "relu", name: "qconv");
        var model = keras.Model(input, layer.Apply(input));

        model.load_weights(path);

        using var file = H5File.OpenRead(path);
        AssertLayerWeightsEqualFile(layer, file, "q_conv2d_batchnorm");
    }
}
