using RetinaNet.Train.Utils;

namespace RetinaNet.Tests.Train.Utils;

/// <summary>keras-retinanet's <c>download_imagenet</c> table: URLs, cached names and checksums per backbone.</summary>
public class ImageNetWeightsTests
{
    [TestCase("vgg16", "https://github.com/fchollet/deep-learning-models/releases/download/v0.1/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "6d6bbae143d832006294945121d1f1fc")]
    [TestCase("vgg19", "https://github.com/fchollet/deep-learning-models/releases/download/v0.1/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5", "253f8cb515780f3b799900260a226db6")]
    [TestCase("densenet169", "https://github.com/fchollet/deep-learning-models/releases/download/v0.8/densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5", null)]
    [TestCase("seresnet18", "https://github.com/qubvel/classification_models/releases/download/0.0.1/seresnet18_imagenet_1000_no_top.h5", "a46e5cd4114ac946ecdc58741e8d92ea")]
    [TestCase("seresnext50", "https://github.com/qubvel/classification_models/releases/download/0.0.1/seresnext50_imagenet_1000_no_top.h5", "b0f23d2e1cd406d67335fb92d85cc279")]
    [TestCase("senet154", "https://github.com/qubvel/classification_models/releases/download/0.0.1/senet154_imagenet_1000_no_top.h5", "d854ff2cd7e6a87b05a8124cd283e0f2")]
    [TestCase("EfficientNetB0", "https://github.com/Callidior/keras-applications/releases/download/efficientnet/efficientnet-b0_weights_tf_dim_ordering_tf_kernels_autoaugment_notop.h5", "c1421ad80a9fc67c2cc4000f666aa50789ce39eedb4e06d531b0c593890ccff3")]
    [TestCase("resnet50", "https://github.com/fizyr/keras-models/releases/download/v0.0.1/ResNet-50-model.keras.h5", "3e9f4e4f77bbe2c9bec13b53ee1c2319")]
    public void EachBackbone_HasKerasRetinanetsUrlAndChecksum(string backbone, string url, string? hash)
    {
        var (actualUrl, file, actualHash) = ImageNetWeights.For(backbone);
        Assert.That(actualUrl, Is.EqualTo(url));
        Assert.That(file, Is.EqualTo(url[(url.LastIndexOf('/') + 1)..]));
        Assert.That(actualHash, Is.EqualTo(hash));
    }

    [Test]
    public void ABackboneWithoutPublishedWeights_IsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => ImageNetWeights.For("resnet18_16"));
        Assert.That(e!.Message, Does.Contain("no ImageNet weights").And.Contain("resnet18_16"));
    }
}
