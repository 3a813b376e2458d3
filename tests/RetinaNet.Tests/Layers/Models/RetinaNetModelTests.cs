using RetinaNet.Core;
using RetinaNet.Layers;
using RetinaNet.Layers.Utils;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers.Models;

public class RetinaNetModelTests
{
    [SetUp]
    public void ResetNames() => keras.backend.clear_session();

    [Test]
    public void ResNet50_OneClass_HasKerasRetinanetsParameterCounts_AndLayerNames()
    {
        // keras-retinanet's training logs print, for resnet50 and 1 class: Total params 36,382,957,
        // Non-trainable params 106,240 (the frozen BatchNormalization weights).
        var model = models.backbone("resnet50").retinanet(num_classes: 1);
        var trainable = model.trainable_weights.Sum(Size);
        var nonTrainable = model.non_trainable_weights.Sum(Size);
        Assert.That(trainable + nonTrainable, Is.EqualTo(36_382_957));
        Assert.That(nonTrainable, Is.EqualTo(106_240));
        Assert.That(model.output_names, Is.EqualTo(new[] { "regression", "classification" }));
        foreach (var name in new[] { "conv1", "bn_conv1", "res2a_branch2a", "res3d_relu", "res4f_relu", "res5c_relu", "C5_reduced",
                     "P5_upsampled", "P4_merged", "P3", "P6", "C6_relu", "P7", "regression_submodel", "classification_submodel" })
            Assert.That(model.get_layer(name), Is.Not.Null, name);
        Assert.That(model.summary_text(), Does.Contain("Total params: 36,382,957"));
    }

    [Test]
    public void InferenceModel_At800x1333_Has200700Anchors_AndKerasRetinanetOutputs()
    {
        var inputs = keras.Input(new Shape(800, 1333, 3));
        var model = models.backbone("resnet18_8").retinanet(num_classes: 2, inputs: inputs,
            options: new RetinaNetOptions { feature_size = 8, head_feature_size = 8 });
        var prediction = models.convert_model(model);
        // Levels (100,167), (50,84), (25,42), (13,21), (7,11) = 22,300 locations × 9 anchors.
        Assert.That(prediction.get_layer("anchors").output.Single().shape, Is.EqualTo(new Shape(null, 200_700, 4)));
        Assert.That(prediction.output_names, Is.EqualTo(new[] { "filtered_detections", "filtered_detections", "filtered_detections" }));
        foreach (var name in new[] { "anchors_0", "anchors_4", "boxes", "clipped_boxes", "filtered_detections" })
            Assert.That(prediction.get_layer(name), Is.Not.Null);
    }

    [Test]
    public void TinyModel_RunsForward_TrainingAndInference()
    {
        var model = models.backbone("resnet18_8").retinanet(num_classes: 3,
            options: new RetinaNetOptions { feature_size = 8, head_feature_size = 8 });
        using var scope = NewDisposeScope();
        var image = randn(2, 64, 96, 3);
        var outputs = model.predict_on_batch(image);
        // Anchors for 64x96: levels (8,12), (4,6), (2,3), (1,2), (1,1) = 96+24+6+2+1 = 129 locations × 9.
        Assert.That(outputs[0].shape, Is.EqualTo(new long[] { 2, 129 * 9, 4 }));
        Assert.That(outputs[1].shape, Is.EqualTo(new long[] { 2, 129 * 9, 3 }));
        // The classification bias starts at the prior probability: sigmoid outputs are about 0.01.
        Assert.That(outputs[1].mean().item<float>(), Is.EqualTo(0.01f).Within(0.005f));

        var prediction = models.convert_model(model);
        var detections = prediction.predict_on_batch(image);
        Assert.That(detections[0].shape, Is.EqualTo(new long[] { 2, 300, 4 }));
        Assert.That(detections[1].shape, Is.EqualTo(new long[] { 2, 300 }));
        Assert.That(detections[2].dtype, Is.EqualTo(ScalarType.Int32));
    }

    [Test]
    public void ConvertingWithOtherAnchorParameters_GivesAClearError()
    {
        var model = models.backbone("resnet18_8").retinanet(num_classes: 1,
            options: new RetinaNetOptions { feature_size = 8, head_feature_size = 8 });
        var custom = new AnchorConfig(new[] { 32, 64, 128, 256, 512 }, new[] { 8, 16, 32, 64, 128 },
            new[] { 0.5f, 1f, 2f, 3f }, new[] { 1f, 1.2f, 1.6f });
        var e = Assert.Throws<ArgumentException>(() => models.convert_model(model, anchor_config: custom));
        Assert.That(e!.Message, Does.Contain("9 anchors per location").And.Contain("12").And.Contain("config"));
    }

    [Test]
    public void ConvertingAnInferenceModel_IsRefusedWithKerasRetinanetsMessage()
    {
        var x = keras.Input(new Shape(4));
        var notTraining = keras.Model(x, new RetinaNet.Core.Layers.Dense(1, name: "boxes").Apply(x));
        var e = Assert.Throws<ArgumentException>(() => models.convert_model(notTraining));
        Assert.That(e!.Message, Is.EqualTo("Input is not a training model (no 'regression' and 'classification' outputs were found, outputs are: ['boxes'])."));
    }

    [Test]
    public void BackboneNames_AreValidatedWithKerasRetinanetsMessages()
    {
        var e = Assert.Throws<ArgumentException>(() => models.backbone("resnet42"));
        Assert.That(e!.Message, Does.Contain("Backbone ('resnet42') not in allowed backbones"));
        Assert.Throws<NotSupportedException>(() => models.backbone("vgg16"));
        Assert.That(models.backbone("mobilenet128_0.5"), Is.InstanceOf<MobileNetBackbone>());
    }

    [Test]
    public void MobileNet_UsesKerasLayerNames_AndTfPreprocessing()
    {
        var backbone = models.backbone("mobilenet224_0.25");
        Assert.That(backbone.preprocess_mode, Is.EqualTo("tf"));
        var model = backbone.retinanet(num_classes: 1, options: new RetinaNetOptions { feature_size = 8, head_feature_size = 8 });
        foreach (var name in new[] { "conv1_pad", "conv1", "conv1_bn", "conv1_relu", "conv_dw_1", "conv_pw_5_relu", "conv_pad_12", "conv_pw_13_relu" })
            Assert.That(model.get_layer(name), Is.Not.Null, name);
        using var scope = NewDisposeScope();
        var outputs = model.predict_on_batch(randn(1, 64, 64, 3));
        Assert.That(outputs[0].shape[1], Is.EqualTo(RetinaNet.Layers.Utils.AnchorMath.anchors_for_shape(new long[] { 64, 64 }).shape[0]));
    }

    static long Size(KerasVariable w) => w.shape.ToLongArray().Aggregate(1L, (a, b) => a * b);
}
