using RetinaNet.Core;
using RetinaNet.Layers;
using RetinaNet.Layers.Utils;
using static RetinaNet.Tests.Layers.Models.BackboneAcceptance;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers.Models;

/// <summary>
/// keras-retinanet's VGG and DenseNet backbones against the keras.applications architectures: parameter counts,
/// layer names and weight shapes, C3–C5 layers, save → load, file layout.
/// </summary>
public class VggDenseNetBackboneTests
{
    [SetUp]
    public void ResetNames() => keras.backend.clear_session();

    [Test]
    public void FpnAndHeadsFormula_GivesKerasRetinanetsResNet50Count() => FormulaMatchesResNet50();

    // Expected = keras.applications' published parameter count without top (keras.io/api/applications) minus, for
    // DenseNet, its final 'bn' (4·C5 weights), which keras-retinanet cuts off at conv5_block{n}_concat, plus FPN/heads.
    [TestCase("vgg16", 14_714_688L, 0L, 256, 512, 512, 36)]
    [TestCase("vgg19", 20_024_384L, 0L, 256, 512, 512, 39)]
    [TestCase("densenet121", 7_037_504L, 4 * 1024L, 512, 1024, 1024, 442)]
    [TestCase("densenet169", 12_642_880L, 4 * 1664L, 512, 1280, 1664, 610)]
    [TestCase("densenet201", 18_321_984L, 4 * 1920L, 512, 1792, 1920, 722)]
    public void ParameterCounts_AreKerasApplicationsPlusFpnAndHeads_For1And80Classes(string name, long published, long cutOff,
        int c3, int c4, int c5, int layerCount)
    {
        var backbone = models.backbone(name);
        Assert.That(Channels(backbone), Is.EqualTo(((long)c3, (long)c4, (long)c5)));
        foreach (var classes in new[] { 1, 80 })
        {
            keras.backend.clear_session();
            var model = backbone.retinanet(classes);
            Assert.That(CountParams(model), Is.EqualTo(published - cutOff + FpnAndHeads(c3, c4, c5, classes)), $"{classes} classes");
            // Layers: input + backbone (VGG: 13/16 convs + 5 pools; DenseNet: keras.applications' 427/595/707 less
            // the final bn and relu) + 13 FPN layers + 2 submodels + 2 concatenations.
            Assert.That(model.layers, Has.Count.EqualTo(layerCount));
        }
    }

    [Test]
    public void Vgg16_HasKerasLayerNamesAndShapes_AndBlockPoolsAsC3ToC5()
    {
        var backbone = models.backbone("vgg16");
        Assert.That(backbone.preprocess_mode, Is.EqualTo("caffe"));
        var (_, layers) = backbone.backbone_layers(keras.Input(new Shape(null, null, 3)));
        Assert.That(new[] { layers["C3"], layers["C4"], layers["C5"] }.Select(t => t.layer.name),
            Is.EqualTo(new[] { "block3_pool", "block4_pool", "block5_pool" }));
        Assert.That(layers.ContainsKey("C2"), Is.False);
        keras.backend.clear_session();
        var model = backbone.retinanet(1);
        Assert.That(WeightShapes(model, "block1_conv1"), Is.EqualTo(new[] { new long[] { 3, 3, 3, 64 }, new long[] { 64 } }));
        Assert.That(WeightShapes(model, "block3_conv3"), Is.EqualTo(new[] { new long[] { 3, 3, 256, 256 }, new long[] { 256 } }));
        Assert.That(WeightShapes(model, "block5_conv3"), Is.EqualTo(new[] { new long[] { 3, 3, 512, 512 }, new long[] { 512 } }));
        Assert.That(((RetinaNet.Core.Layers.Conv2D)model.get_layer("block2_conv1")).activation, Is.EqualTo("relu"));
        Assert.That(model.layers.Take(19).Select(l => l.name).Skip(1), Is.EqualTo(new[]
        {
            "block1_conv1", "block1_conv2", "block1_pool", "block2_conv1", "block2_conv2", "block2_pool",
            "block3_conv1", "block3_conv2", "block3_conv3", "block3_pool", "block4_conv1", "block4_conv2", "block4_conv3", "block4_pool",
            "block5_conv1", "block5_conv2", "block5_conv3", "block5_pool",
        }));
        Assert.That(() => models.backbone("vgg19").retinanet(1).get_layer("block5_conv4"), Throws.Nothing);
    }

    [Test]
    public void DenseNet121_HasKerasLayerNamesAndShapes_AndLastConcatOfEachBlockAsC2ToC5()
    {
        var backbone = models.backbone("densenet121");
        Assert.That(backbone.preprocess_mode, Is.EqualTo("tf"));
        var (feature, layers) = backbone.backbone_layers(keras.Input(new Shape(null, null, 3)));
        Assert.That(new[] { "C2", "C3", "C4", "C5" }.Select(c => layers[c].layer.name),
            Is.EqualTo(new[] { "conv2_block6_concat", "conv3_block12_concat", "conv4_block24_concat", "conv5_block16_concat" }));
        Assert.That(feature.name, Is.EqualTo("densenet121"));
        Assert.That(() => feature.get_layer("bn"), Throws.Exception, "the backbone model ends at the last concatenation");
        keras.backend.clear_session();
        var model = backbone.retinanet(1);
        Assert.That(model.layers.Take(8).Select(l => l.name), Is.EqualTo(new[]
            { model.layers[0].name, "zero_padding2d", "conv1/conv", "conv1/bn", "conv1/relu", "zero_padding2d_1", "pool1", "conv2_block1_0_bn" }));
        Assert.That(WeightShapes(model, "conv1/conv"), Is.EqualTo(new[] { new long[] { 7, 7, 3, 64 } }));
        Assert.That(WeightShapes(model, "conv1/bn"), Has.Length.EqualTo(4).And.All.EqualTo(new long[] { 64 }));
        Assert.That(((RetinaNet.Core.Layers.BatchNormalization)model.get_layer("conv1/bn")).epsilon, Is.EqualTo(1.001e-5));
        Assert.That(WeightShapes(model, "conv2_block1_1_conv"), Is.EqualTo(new[] { new long[] { 1, 1, 64, 128 } }));
        Assert.That(WeightShapes(model, "conv2_block1_2_conv"), Is.EqualTo(new[] { new long[] { 3, 3, 128, 32 } }));
        Assert.That(WeightShapes(model, "pool2_conv"), Is.EqualTo(new[] { new long[] { 1, 1, 256, 128 } }));
        Assert.That(WeightShapes(model, "pool4_conv"), Is.EqualTo(new[] { new long[] { 1, 1, 1024, 512 } }));
        Assert.That(WeightShapes(model, "conv5_block16_1_conv"), Is.EqualTo(new[] { new long[] { 1, 1, 992, 128 } }));
        Assert.That(WeightShapes(model, "conv5_block16_0_bn")[0], Is.EqualTo(new long[] { 992 }));
        foreach (var name in new[] { "pool2_bn", "pool2_relu", "pool2_pool", "pool3_pool", "conv4_block24_1_relu", "conv5_block16_concat" })
            Assert.That(model.get_layer(name), Is.Not.Null, name);
    }

    [TestCase("vgg16")]
    [TestCase("densenet121")]
    public void SavedAndLoaded_GivesIdenticalOutputs_InAKerasLayout(string name)
    {
        var backbone = models.backbone(name);
        var model = backbone.retinanet(2, options: new RetinaNetOptions { feature_size = 16, head_feature_size = 16 });
        SaveLoadAndCompare(model, backbone, 70, 90);
    }

    [TestCase("vgg16", 100, 124)]
    [TestCase("densenet121", 100, 124)]
    public void PyramidShapesFromTheModel_LineUpWithItsOutputs_WhereGuessedShapesDoNot(string name, int height, int width)
    {
        var model = models.backbone(name).retinanet(1, options: new RetinaNetOptions { feature_size = 8, head_feature_size = 8 });
        var image = new long[] { height, width };
        using var scope = NewDisposeScope();
        var outputs = model.predict_on_batch(zeros(1, height, width, 3));
        var fromModel = AnchorMath.anchors_for_shape(image, shapes_callback: PyramidShapes.make_shapes_callback(model));
        var guessed = AnchorMath.anchors_for_shape(image);
        Assert.That(fromModel.shape[0], Is.EqualTo(outputs[0].shape[1]));
        Assert.That(guessed.shape[0], Is.Not.EqualTo(outputs[0].shape[1]), "floored poolings: ceil(dim / 2^level) is wrong here");
        // P3 of a 100-pixel side: three floored halvings give 12 (guess_shapes says 13).
        Assert.That(PyramidShapes.make_shapes_callback(model)(image, new[] { 3 })[0][0], Is.EqualTo(12));
        Assert.That(PyramidShapes.For(name, model), Is.Not.EqualTo((ShapesCallback)AnchorMath.guess_shapes));
    }

    [Test]
    public void FreezeBackbone_FreezesEveryBackboneLayer_AndNothingElse()
    {
        var model = models.backbone("densenet121").retinanet(1, modifier: ModelModifiers.freeze,
            options: new RetinaNetOptions { feature_size = 8, head_feature_size = 8 });
        Assert.That(model.get_layer("conv5_block16_2_conv").trainable, Is.False);
        Assert.That(model.get_layer("conv1/bn").trainable, Is.False);
        Assert.That(model.get_layer("C5_reduced").trainable, Is.True);
        Assert.That(model.trainable_weights.Sum(Size), Is.EqualTo(
            new[] { "C3_reduced", "C4_reduced", "C5_reduced", "P3", "P4", "P5", "P6", "P7", "regression_submodel", "classification_submodel" }
                .Sum(n => model.get_layer(n).trainable_weights.Sum(Size))));
    }
}
