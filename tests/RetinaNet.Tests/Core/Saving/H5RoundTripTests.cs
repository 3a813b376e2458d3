using PureHDF;
using RetinaNet.Core;
using RetinaNet.Core.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Saving;

public class H5RoundTripTests : H5TestBase
{
    static readonly Dictionary<string, object> custom = new() { ["ScaleOffset"] = typeof(ScaleOffset) };

    static void AssertSameWeights(Model expected, Model actual)
    {
        var a = expected.get_weights();
        var b = actual.get_weights();
        Assert.That(b, Has.Count.EqualTo(a.Count));
        for (int i = 0; i < a.Count; i++)
            Assert.That(TensorCompare.Same(a[i], b[i]), Is.True, $"weight {expected.weights[i].name}");
    }

    [Test]
    public void SaveThenLoadModel_GivesSameConfigWeightsAndOutputs()
    {
        var original = ModelConfigTests.BuildNestedModel();
        var path = Temp("nested.h5");
        original.save(path);
        var warnings = new List<string>();

        var loaded = keras.models.load_model(path, custom, warn: warnings.Add);

        Assert.That(loaded.get_config().ToJsonString(), Is.EqualTo(original.get_config().ToJsonString()));
        AssertSameWeights(original, loaded);
        using var x = randn(2, 6, 6, 3);
        using var expected = original.Apply(x);
        using var actual = loaded.Apply(x);
        Assert.That(TensorCompare.Same(actual, expected), Is.True);
        Assert.That(loaded.is_compiled, Is.False);
        Assert.That(warnings, Has.One.Contains("No training configuration found"));
    }

    [Test]
    public void LoadModel_WithoutCustomObjects_ErrorNamesClassLayerAndFile()
    {
        var path = Temp("nested.h5");
        ModelConfigTests.BuildNestedModel().save(path);

        var e = Assert.Throws<KerasFileException>(() => keras.models.load_model(path))!;

        Assert.That(e.Message, Does.Contain(path));
        Assert.That(e.Message, Does.Contain("Unknown layer: 'ScaleOffset'"));
        Assert.That(e.Message, Does.Contain("layer 'scale'"));
        Assert.That(e.Message, Does.Contain("custom_objects"));
        Assert.That(e.InnerException, Is.TypeOf<KerasConfigException>());
    }

    [Test]
    public void LoadWeights_MatchesByPosition_IgnoringNames_FromWeightsAndModelFiles()
    {
        var original = ModelConfigTests.BuildNestedModel();
        original.save_weights(Temp("weights.h5"));
        original.save(Temp("model.h5"));

        foreach (var file in new[] { "weights.h5", "model.h5" })
        {
            var other = ModelConfigTests.BuildNestedModel();
            foreach (var layer in other.layers) layer.name = "renamed_" + layer.name;
            other.load_weights(Temp(file));
            AssertSameWeights(original, other);
        }
    }

    [Test]
    public void LoadWeights_ByName_LoadsOnlyLayersOfTheSameName()
    {
        var original = ModelConfigTests.BuildNestedModel();
        original.save_weights(Temp("weights.h5"));
        var input = keras.Input(new Shape(6, 6, 3));
        var conv = new Conv2D(4, 3, padding: "same", name: "conv1");
        var other = new Dense(2, name: "other");
        var model = keras.Model(input, other.Apply(conv.Apply(input)));
        var before = other.get_weights();

        model.load_weights(Temp("weights.h5"), by_name: true);

        var expected = original.get_layer("conv1").get_weights();
        var actual = conv.get_weights();
        Assert.That(TensorCompare.Same(actual[0], expected[0]) && TensorCompare.Same(actual[1], expected[1]), Is.True);
        Assert.That(TensorCompare.Same(other.get_weights()[0], before[0]), Is.True);
    }

    [Test]
    public void LoadWeights_LayerCountMismatch_KerasMessage()
    {
        ModelConfigTests.BuildNestedModel().save_weights(Temp("weights.h5"));
        var input = keras.Input(new Shape(4));
        var model = keras.Model(input, new Dense(2).Apply(input));

        var e = Assert.Throws<KerasFileException>(() => model.load_weights(Temp("weights.h5")))!;

        Assert.That(e.Message, Does.Contain(
            "Layer count mismatch when loading weights from file. Model expected 1 layers, found 4 saved layers."));
        Assert.That(e.Message, Does.Contain(Temp("weights.h5")));
    }

    static (Model model, Dense a, Dense b) TwoDense(int bUnits)
    {
        var input = keras.Input(new Shape(5));
        var a = new Dense(3, name: "a");
        var b = new Dense(bUnits, name: "b");
        return (keras.Model(input, b.Apply(a.Apply(input))), a, b);
    }

    [Test]
    public void LoadWeights_ShapeMismatch_NamesLayerWeightAndShapes_AndChangesNothing()
    {
        var (saved, _, _) = TwoDense(2);
        saved.save_weights(Temp("weights.h5"));
        var (model, a, _) = TwoDense(4);
        var aBefore = a.get_weights()[0];

        var e = Assert.Throws<KerasFileException>(() => model.load_weights(Temp("weights.h5")))!;

        Assert.That(e.Message, Does.Contain(
            "Shape mismatch in layer #1 (named b in the current model, b in the save file) for weight b/kernel:0. " +
            "Weight expects shape (3, 4). Received saved weight with shape (3, 2)"));
        Assert.That(TensorCompare.Same(a.get_weights()[0], aBefore), Is.True, "a failed load must not assign anything");
    }

    [Test]
    public void LoadWeights_SkipMismatch_WarnsPerWeightAndLoadsTheRest()
    {
        var (saved, savedA, _) = TwoDense(2);
        saved.save_weights(Temp("weights.h5"));
        var (model, a, b) = TwoDense(4);
        var bBefore = b.get_weights();
        var warnings = new List<string>();

        model.load_weights(Temp("weights.h5"), skip_mismatch: true, warn: warnings.Add);

        Assert.That(warnings, Has.Count.EqualTo(2));
        Assert.That(warnings[0], Does.Contain("b/kernel:0").And.Contain("(3, 4)").And.Contain("(3, 2)"));
        Assert.That(warnings[1], Does.Contain("b/bias:0").And.Contain("(4,)").And.Contain("(2,)"));
        Assert.That(TensorCompare.Same(a.get_weights()[0], savedA.get_weights()[0]), Is.True);
        Assert.That(TensorCompare.Same(b.get_weights()[0], bBefore[0]), Is.True);
    }

    [Test]
    public void ManyWeights_NamesAreChunkedBelowTheAttributeLimit_AndRoundTrip()
    {
        var input = keras.Input(new Shape(3));
        var model = keras.Model(input, new ManyWeights(4100, name: "many").Apply(input));
        model.save_weights(Temp("many.h5"));

        using (var file = H5File.OpenRead(Temp("many.h5")))
        {
            var group = file.Group("many");
            Assert.That(group.AttributeExists("weight_names"), Is.False);
            var chunks = group.Attributes().Where(a => a.Name.StartsWith("weight_names")).ToList();
            Assert.That(chunks.Select(c => c.Name), Is.EquivalentTo(new[] { "weight_names0", "weight_names1" }));
            // 16 bytes per variable-length string must stay under Keras' 64512-byte attribute limit.
            Assert.That(chunks.Select(c => (int)c.Space.Dimensions[0] * 16), Has.All.LessThanOrEqualTo(64512));
            Assert.That(chunks.Sum(c => (int)c.Space.Dimensions[0]), Is.EqualTo(4100));
        }

        var input2 = keras.Input(new Shape(3));
        var copy = keras.Model(input2, new ManyWeights(4100, name: "many").Apply(input2));
        copy.load_weights(Temp("many.h5"));
        AssertSameWeights(model, copy);
    }

    [Test]
    public void LoadWeights_FixedLengthChunkedNames_NamesWithoutColonZero_IntegerAndDoubleData()
    {
        // Older h5py wrote fixed-length names; Keras 3 writes weight names without ":0"; data may be any number type.
        double[] kernel = { 0.5, -1, 2, 3.25, -4, 5 };
        var file = new H5File
        {
            Attributes = { ["layer_names0"] = new[] { "in" }, ["layer_names1"] = new[] { "dense" }, ["keras_version"] = "3.1.0" },
            ["in"] = new H5Group { Attributes = { ["weight_names"] = Array.Empty<double>() } },
            ["dense"] = new H5Group
            {
                Attributes = { ["weight_names"] = new[] { "dense/kernel", "dense/bias" } },
                ["dense"] = new H5Group
                {
                    ["kernel"] = new H5Dataset(kernel, fileDims: new ulong[] { 3, 2 }),
                    ["bias"] = new H5Dataset(new long[] { 7, -8 }, fileDims: new ulong[] { 2 }),
                },
            },
        };
        file.Write(Temp("fixed.h5"), new H5WriteOptions(DefaultStringLength: 16));
        var input = keras.Input(new Shape(3));
        var dense = new Dense(2, name: "another_name");
        var model = keras.Model(input, dense.Apply(input));

        model.load_weights(Temp("fixed.h5"));

        Assert.That(dense.kernel.numpy().data<float>().ToArray(), Is.EqualTo(kernel.Select(v => (float)v).ToArray()));
        Assert.That(dense.bias!.numpy().data<float>().ToArray(), Is.EqualTo(new[] { 7f, -8f }));
    }

    [Test]
    public void Save_Failure_LeavesTheEarlierFileIntact_AndNoTemporaryFile()
    {
        var path = Temp("model.h5");
        ModelConfigTests.BuildNestedModel().save(path);
        var before = File.ReadAllBytes(path);
        var input = keras.Input(new Shape(4));
        var broken = keras.Model(input, new UnsavableLayer(name: "broken").Apply(input));

        var e = Assert.Throws<KerasFileException>(() => broken.save(path))!;

        Assert.That(e.Message, Does.Contain(path).And.Contain("cannot be serialized"));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        Assert.That(Directory.GetFiles(Folder), Is.EqualTo(new[] { path }));
    }
}
