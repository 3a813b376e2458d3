using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Core.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Saving;

public class ModelConfigTests
{
    static readonly Dictionary<string, object> custom = new() { ["ScaleOffset"] = typeof(ScaleOffset) };

    /// <summary>
    /// in → conv1 → sub → sub → scale → head, where sub is a nested model (conv + dense) applied twice.
    /// </summary>
    internal static Model BuildNestedModel()
    {
        keras.backend.clear_session();
        var subIn = keras.Input(new Shape(null, null, 4), name: "sub_in");
        var subOut = new Dense(4, activation: "tanh", name: "sub_dense").Apply(
            new Conv2D(4, 3, padding: "same", name: "sub_conv").Apply(subIn));
        var sub = keras.Model(subIn, subOut, name: "sub");

        var input = keras.Input(new Shape(6, 6, 3), name: "image");
        var x = new Conv2D(4, 3, padding: "same", activation: "relu", name: "conv1").Apply(input);
        x = sub.Apply(sub.Apply(x));
        x = new ScaleOffset(0.5, name: "scale").Apply(x);
        var output = new Dense(2, name: "head").Apply(x);
        return keras.Model(input, output, name: "outer");
    }

    [Test]
    public void GetConfig_IsKeras2Functional_WithNestedModelCallsNumberedFromOne()
    {
        var config = BuildNestedModel().get_config();

        Assert.That(config["name"]!.GetValue<string>(), Is.EqualTo("outer"));
        var layers = config["layers"]!.AsArray();
        Assert.That(layers.Select(l => l!["name"]!.GetValue<string>()),
            Is.EqualTo(new[] { "image", "conv1", "sub", "scale", "head" }));
        Assert.That(layers.Select(l => l!["class_name"]!.GetValue<string>()),
            Is.EqualTo(new[] { "InputLayer", "Conv2D", "Functional", "ScaleOffset", "Dense" }));

        JsonNode Inbound(int i) => layers[i]!["inbound_nodes"]!;
        // Keras' rule: a nested model's first call is node 1 (node 0 links its own inputs to its outputs).
        Assert.That(Inbound(0).ToJsonString(), Is.EqualTo("[]"));
        Assert.That(Inbound(1).ToJsonString(), Is.EqualTo("""[[["image",0,0,{}]]]"""));
        Assert.That(Inbound(2).ToJsonString(), Is.EqualTo("""[[["conv1",0,0,{}]],[["sub",1,0,{}]]]"""));
        Assert.That(Inbound(3).ToJsonString(), Is.EqualTo("""[[["sub",2,0,{}]]]"""));
        Assert.That(config["input_layers"]!.ToJsonString(), Is.EqualTo("""[["image",0,0]]"""));
        Assert.That(config["output_layers"]!.ToJsonString(), Is.EqualTo("""[["head",0,0]]"""));

        var sub = layers[2]!["config"]!;
        Assert.That(sub["layers"]!.AsArray().Select(l => l!["name"]!.GetValue<string>()),
            Is.EqualTo(new[] { "sub_in", "sub_conv", "sub_dense" }));
        Assert.That(layers[3]!["config"]!["factor"]!.GetValue<double>(), Is.EqualTo(0.5));
    }

    [Test]
    public void FromConfig_RebuildsTheSameGraph_WithSharedSubModelWeights()
    {
        var original = BuildNestedModel();
        var config = original.get_config();

        var rebuilt = Model.from_config(config, custom);

        Assert.That(rebuilt.get_config().ToJsonString(), Is.EqualTo(config.ToJsonString()));
        var sub = (Model)rebuilt.get_layer("sub");
        // Its own construction (node 0, as in Keras) plus the two calls in the outer model.
        Assert.That(sub.inbound_nodes, Has.Count.EqualTo(3));
        // One sub-model, so its weights are stored once: conv1 (2) + sub (4) + scale (2) + head (2).
        Assert.That(rebuilt.weights, Has.Count.EqualTo(10));
        Assert.That(rebuilt.layers.Select(l => l.GetType()),
            Is.EqualTo(new[] { typeof(InputLayer), typeof(Conv2D), typeof(Model), typeof(ScaleOffset), typeof(Dense) }));
    }

    [Test]
    public void FromConfig_UnknownCustomLayer_KerasWordingNamesClassAndLayer()
    {
        var config = BuildNestedModel().get_config();

        var e = Assert.Throws<KerasConfigException>(() => Model.from_config(config))!;

        Assert.That(e.Message, Does.StartWith("Unknown layer: 'ScaleOffset'"));
        Assert.That(e.Message, Does.Contain("layer 'scale'"));
        Assert.That(e.Message, Does.Contain("custom_objects"));
    }

    /// <summary>A Keras 3 config: dict inbound nodes with __keras_tensor__, batch_shape, DTypePolicy dtypes, extra keys.</summary>
    const string Keras3Config = """
        {"class_name": "Functional", "config": {"name": "k3", "trainable": true, "layers": [
          {"module": "keras.layers", "class_name": "InputLayer", "registered_name": null, "name": "x",
           "config": {"batch_shape": [null, 4], "dtype": "float32", "sparse": false, "name": "x"}, "inbound_nodes": []},
          {"module": "keras.layers", "class_name": "Dense", "registered_name": null, "name": "shared",
           "build_config": {"input_shape": [null, 4]},
           "config": {"name": "shared", "trainable": true,
                      "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                      "units": 4, "activation": "relu", "use_bias": true,
                      "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                      "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                      "kernel_regularizer": null, "bias_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
           "inbound_nodes": [
             {"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 4], "dtype": "float32", "keras_history": ["x", 0, 0]}}], "kwargs": {}},
             {"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 4], "dtype": "float32", "keras_history": ["shared", 0, 0]}}], "kwargs": {}}]}],
          "input_layers": [["x", 0, 0]], "output_layers": [["shared", 1, 0]]}}
        """;

    [Test]
    public void ModelFromJson_Keras3Form_SharedLayerCalledTwice()
    {
        var model = keras.models.model_from_json(Keras3Config);

        Assert.That(model.name, Is.EqualTo("k3"));
        var dense = (Dense)model.get_layer("shared");
        Assert.That(dense.inbound_nodes, Has.Count.EqualTo(2));
        Assert.That(dense.dtype, Is.EqualTo("float32"));
        using var x = randn(3, 4);
        using var once = (x.matmul(dense.kernel.value) + dense.bias!.value).relu();
        using var expected = (once.matmul(dense.kernel.value) + dense.bias.value).relu();
        using var y = model.Apply(x);
        Assert.That(y.allclose(expected, 1e-5, 1e-6), Is.True);
    }

    [Test]
    public void ModelFromConfig_SequentialDictAndBareList_FirstLayerShapeMakesTheInput()
    {
        const string layer = """
            {"class_name": "Dense", "config": {"name": "d1", "trainable": true, "batch_input_shape": [null, 5], "dtype": "float32", "units": 3}}
            """;
        const string second = """{"class_name": "Dense", "config": {"name": "d2", "units": 2, "unknown_future_key": 7}}""";
        var layers = "[" + layer + ", " + second + "]";
        var dict = JsonNode.Parse("""{"class_name": "Sequential", "config": {"name": "seq", "layers": """ + layers + "}}")!.AsObject();
        var bare = JsonNode.Parse("""{"class_name": "Sequential", "config": """ + layers + "}")!.AsObject();

        foreach (var config in new[] { dict, bare })
        {
            var model = keras.models.model_from_config(config);
            Assert.That(model.layers.Select(l => l.name), Is.EqualTo(new[] { "d1_input", "d1", "d2" }));
            Assert.That(model.inputs[0].shape, Is.EqualTo(new Shape(null, 5)));
            Assert.That(model.outputs[0].shape, Is.EqualTo(new Shape(null, 2)));
        }
    }

    [Test]
    public void FromConfig_MalformedLayerEntry_NamesTheEntry()
    {
        var config = BuildNestedModel().get_config();
        config["layers"]!.AsArray()[1]!.AsObject().Remove("class_name");

        var e = Assert.Throws<KerasConfigException>(() => Model.from_config(config, custom))!;

        Assert.That(e.Message, Does.Contain("'class_name' of layer 'conv1'"));
    }

    [Test]
    public void FromConfig_InboundNodeThatIsNeverMade_IsReportedNotLooped()
    {
        var config = BuildNestedModel().get_config();
        // head now waits for call 5 of scale, which never happens.
        config["layers"]!.AsArray()[4]!["inbound_nodes"] = JsonNode.Parse("""[[["scale", 5, 0, {}]]]""");

        var e = Assert.Throws<KerasConfigException>(() => Model.from_config(config, custom))!;

        Assert.That(e.Message, Does.Contain("'head'"));
    }

    [Test]
    public void FromConfig_InboundEntryOfWrongLength_KerasWording()
    {
        var config = BuildNestedModel().get_config();
        config["layers"]!.AsArray()[1]!["inbound_nodes"] = JsonNode.Parse("""[[["image", 0]]]""");

        var e = Assert.Throws<KerasConfigException>(() => Model.from_config(config, custom))!;

        Assert.That(e.Message, Does.StartWith("Improperly formatted model config"));
    }
}
