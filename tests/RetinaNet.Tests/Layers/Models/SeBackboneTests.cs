using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Core.Layers;
using RetinaNet.Layers;
using static RetinaNet.Tests.Layers.Models.BackboneAcceptance;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers.Models;

/// <summary>keras-retinanet's SE-ResNet-18/34 backbones against classification_models' architecture.</summary>
public class SeBackboneTests
{
    [SetUp]
    public void ResetNames() => keras.backend.clear_session();

    /// <summary>
    /// classification_models' ResNet-18/34 without top, counted layer by layer: bn_data without scale (3·3), conv0
    /// (7·7·3·64), bn0 (4·64); each basic block: bn1 (4·in), 3×3 conv in→f, bn2 (4·f), 3×3 conv f→f, a 1×1 shortcut
    /// in→f on each stage's first block, and the SE block 2·f·f/16 + f/16 + f; final bn1 (4·512). For ResNet-18 without SE
    /// this gives 11,186,889, classification_models' published 11,699,889 with top less the 1000-way Dense (513,000).
    /// </summary>
    static long SeResNetBasicParams(int[] repetitions, bool se = true)
    {
        long total = 9 + 7 * 7 * 3 * 64 + 4 * 64;
        long input = 64;
        for (int stage = 0; stage < 4; stage++)
        {
            long f = 64L << stage;
            for (int block = 0; block < repetitions[stage]; block++)
            {
                total += 4 * input + 9 * input * f + 4 * f + 9 * f * f;
                if (block == 0) total += input * f;
                if (se) total += 2 * f * (f / 16) + f / 16 + f;
                input = f;
            }
        }
        return total + 4 * 512;
    }

    [Test]
    public void ResNet18Formula_MatchesClassificationModelsPublishedCount() =>
        Assert.That(SeResNetBasicParams(new[] { 2, 2, 2, 2 }, se: false), Is.EqualTo(11_699_889 - 513_000));

    // C3–C5 (stage3_unit1_relu1, stage4_unit1_relu1, relu1) have 128, 256, 512 channels. Layers: input, 7 stem layers,
    // 16 per block (bn1, relu1, 2 paddings, conv1, bn2, relu2, conv2, 7 SE layers, add) + 1 shortcut per stage, bn1,
    // relu1, then 13 FPN layers, 2 submodels and 2 concatenations.
    [TestCase("seresnet18", new[] { 2, 2, 2, 2 }, 8 * 16 + 4 + 10 + 17)]
    [TestCase("seresnet34", new[] { 3, 4, 6, 3 }, 16 * 16 + 4 + 10 + 17)]
    public void ParameterCounts_AreClassificationModelsPlusFpnAndHeads_For1And80Classes(string name, int[] repetitions, int layerCount)
    {
        var backbone = models.backbone(name);
        Assert.That(Channels(backbone), Is.EqualTo((128L, 256L, 512L)));
        foreach (var classes in new[] { 1, 80 })
        {
            keras.backend.clear_session();
            var model = backbone.retinanet(classes);
            Assert.That(CountParams(model), Is.EqualTo(SeResNetBasicParams(repetitions) + FpnAndHeads(128, 256, 512, classes)));
            Assert.That(model.layers, Has.Count.EqualTo(layerCount));
        }
    }

    [Test]
    public void SeResNet18_HasClassificationModelsNames_OneBasedAutomaticNamesInKerasOrder_AndShapes()
    {
        var backbone = models.backbone("seresnet18");
        Assert.That(backbone.preprocess_mode, Is.EqualTo("none"));
        var (_, layers) = backbone.backbone_layers(keras.Input(new Shape(null, null, 3)));
        Assert.That(new[] { "C3", "C4", "C5" }.Select(c => layers[c].layer.name), Is.EqualTo(new[] { "stage3_unit1_relu1", "stage4_unit1_relu1", "relu1" }));
        keras.backend.clear_session();
        var model = backbone.retinanet(1);
        foreach (var n in new[] { "bn_data", "zero_padding2d_1", "conv0", "bn0", "relu0", "zero_padding2d_2", "pooling0",
                     "stage1_unit1_bn1", "stage1_unit1_relu1", "zero_padding2d_3", "stage1_unit1_conv1", "stage1_unit1_bn2", "zero_padding2d_18" })
            Assert.That(model.get_layer(n), Is.Not.Null, n);
        foreach (var n in new[] { "stage1_unit1_sc", "stage4_unit2_conv2", "global_average_pooling2d_8", "lambda_8", "conv2d_16", "activation_16", "multiply_8", "add_8" })
            Assert.That(model.get_layer(n), Is.Not.Null, n);
        Assert.That(model.layers.Any(l => l.name is "lambda_9" or "activation_17" or "add_9" or "zero_padding2d" or "conv2d"), Is.False);
        Assert.That(WeightShapes(model, "bn_data"), Is.EqualTo(new[] { new long[] { 3 }, new long[] { 3 }, new long[] { 3 } }), "beta, moving mean, moving variance");
        Assert.That(WeightShapes(model, "conv0"), Is.EqualTo(new[] { new long[] { 7, 7, 3, 64 } }));
        Assert.That(WeightShapes(model, "stage2_unit1_sc"), Is.EqualTo(new[] { new long[] { 1, 1, 64, 128 } }));
        Assert.That(WeightShapes(model, "conv2d_1"), Is.EqualTo(new[] { new long[] { 1, 1, 64, 4 }, new long[] { 4 } }));
        Assert.That(WeightShapes(model, "conv2d_16"), Is.EqualTo(new[] { new long[] { 1, 1, 32, 512 }, new long[] { 512 } }));
        Assert.That(((BatchNormalization)model.get_layer("bn0")).epsilon, Is.EqualTo(2e-5));
    }

    [Test]
    public void SeResNet18_SavedAndLoaded_GivesIdenticalOutputs_InAKerasLayout()
    {
        var backbone = models.backbone("seresnet18");
        var model = backbone.retinanet(2, options: new RetinaNetOptions { feature_size = 16, head_feature_size = 16 });
        SaveLoadAndCompare(model, backbone, 64, 80);
    }

    // marshal.dumps(expand_dims.__code__) base64-encoded, as Keras' func_dump writes a Lambda's function in a config.
    const string PythonExpandDims = "4wIAAAAAAAAAAAAAAAYAAAADAAAA854AAACXAHwBZAFrAgAAAAByEHwAZABkAIUCZABkAGQAZACF\nAmYEGQAAAAAAAAAAAFMAfAFkAmsCAAAAAHIQfABkAGQAhQJkAGQAhQJkAGQAZgQZAAAAAAAAAAAA\nUwB0AQAAAAAAAAAAAABkA6ABAAAAAAAAAAAAAAAAAAAAAAAAAAB8AaYBAACrAQAAAAAAAAAApgEA\nAKsBAAAAAAAAAACCASkETukDAAAA6QEAAAD6J1NsaWNlIGF4aXMgc2hvdWxkIGJlIGluICgxLCAz\nKSwgZ290IHt9LikC2gpWYWx1ZUVycm9y2gZmb3JtYXQpAtoBeNoNY2hhbm5lbHNfYXhpc3MCAAAA\nICD6CDxzdHJpbmc+2gtleHBhbmRfZGltc3IKAAAAAwAAAHNtAAAAgADYBxSYAdIHGdAHGdgPEJAR\nkBGQEZBEmCSgAaABoAHQESHUDyLQCCLYCRaYIdIJG9AJG9gPEJARkBGQEZBBkEGQQZB0mFTQESHU\nDyLQCCLlDhjQGULXGUnSGUnILdEZWNQZWNEOWdQOWdAIWfMAAAAA\n";

    [Test]
    public void LambdaSavedByPython_FindsTheFunctionInItsBytecode_ThroughCustomObjects()
    {
        var config = (JsonObject)JsonNode.Parse("""
            {"name": "lambda_3", "trainable": true, "dtype": "float32", "function": ["", null, null], "function_type": "lambda",
             "module": "classification_models.models._common_blocks", "output_shape": null, "output_shape_type": "raw",
             "output_shape_module": null, "arguments": {"channels_axis": 3}}
            """)!;
        config["function"]![0] = PythonExpandDims;
        using (keras.utils.custom_object_scope(models.backbone("seresnet18").custom_objects))
        {
            var layer = Lambda.from_config(config);
            Assert.That(layer.function.name, Is.EqualTo("expand_dims"));
            Assert.That(layer.name, Is.EqualTo("lambda_3"));
            using var y = layer.Apply(ones(2, 5));
            Assert.That(y.shape, Is.EqualTo(new long[] { 2, 1, 1, 5 }));
        }
        var e = Assert.Throws<KerasConfigException>(() => Lambda.from_config(config));
        Assert.That(e!.Message, Does.Contain("lambda_3").And.Contain("expand_dims").And.Contain("custom_objects"));
    }

    [Test]
    public void UnknownSeResNet_IsRefusedWithTheAllowedNames()
    {
        var e = Assert.Throws<ArgumentException>(() => models.backbone("seresnet42"));
        Assert.That(e!.Message, Does.Contain("seresnet42").And.Contain("'senet154'"));
    }
}
