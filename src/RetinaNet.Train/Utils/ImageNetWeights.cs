namespace RetinaNet.Train.Utils;

/// <summary>
/// The ImageNet weights keras-retinanet's <c>download_imagenet</c> fetches for each backbone: URL, cached file name and
/// checksum as it passes them to <c>keras.utils.get_file</c> (md5, sha256 for EfficientNet, none for DenseNet).
/// </summary>
public static class ImageNetWeights
{
    const string FcholletReleases = "https://github.com/fchollet/deep-learning-models/releases/download/";
    const string QubvelReleases = "https://github.com/qubvel/classification_models/releases/download/0.0.1/";
    const string EfficientNetReleases = "https://github.com/Callidior/keras-applications/releases/download/efficientnet/";

    // classification_models' WEIGHTS_COLLECTION, entries with include_top=False.
    static readonly Dictionary<string, string> SeNetMd5 = new()
    {
        ["seresnet18"] = "a46e5cd4114ac946ecdc58741e8d92ea",
        ["seresnet34"] = "3348fd049f1f9ad307c070ff2b6ec4cb",
        ["seresnet50"] = "043777781b0d5ca756474d60bf115ef1",
        ["seresnet101"] = "1c373b0c196918713da86951d1239007",
        ["seresnet152"] = "f58d4c1a511c7445ab9a2c2b83ee4e7b",
        ["seresnext50"] = "b0f23d2e1cd406d67335fb92d85cc279",
        ["seresnext101"] = "e48708cbe40071cc3356016c37f6c9c7",
        ["senet154"] = "d854ff2cd7e6a87b05a8124cd283e0f2",
    };

    // efficientnet.weights.IMAGENET_WEIGHTS_HASHES[name][1] (the notop file), sha256.
    static readonly string[] EfficientNetSha256 =
    {
        "c1421ad80a9fc67c2cc4000f666aa50789ce39eedb4e06d531b0c593890ccff3",
        "75de265d03ac52fa74f2f510455ba64f9c7c5fd96dc923cd4bfefa3d680c4b68",
        "433b60584fafba1ea3de07443b74cfd32ce004a012020b07ef69e22ba8669333",
        "c5d42eb6cfae8567b418ad3845cfd63aa48b87f1bd5df8658a49375a9f3135c7",
        "7942c1407ff1feb34113995864970cd4d9d91ea64877e8d9c38b6c1e0767c411",
        "9d197bc2bfe29165c10a2af8c2ebc67507f5d70456f09e584c71b822941b1952",
        "1d0923bb038f2f8060faaf0a0449db4b96549a881747b7c7678724ac79f427ed",
        "60b56ff3a8daccc8d96edfd40b204c113e51748da657afd58034d54d3cec2bac",
    };

    /// <summary>
    /// URL, file name and checksum of a backbone's ImageNet weights (reference §1.2 and keras-retinanet's
    /// <c>models/*.py</c>); throws for a backbone keras-retinanet publishes none for.
    /// </summary>
    public static (string url, string fileName, string? hash) For(string backbone)
    {
        var name = backbone.Split('_')[0];
        switch (name)
        {
            case "resnet50" or "resnet101" or "resnet152":
                return WeightsDownload.ResNetImageNet(int.Parse(name["resnet".Length..], System.Globalization.CultureInfo.InvariantCulture));
            case "vgg16":
                return Fchollet("v0.1/", "vgg16", "6d6bbae143d832006294945121d1f1fc");
            case "vgg19":
                return Fchollet("v0.1/", "vgg19", "253f8cb515780f3b799900260a226db6");
            case "densenet121" or "densenet169" or "densenet201":
                return Fchollet("v0.8/", name, null);
        }
        if (SeNetMd5.TryGetValue(name, out var md5))
            return (QubvelReleases + $"{name}_imagenet_1000_no_top.h5", $"{name}_imagenet_1000_no_top.h5", md5);
        if (name.StartsWith("EfficientNetB", StringComparison.Ordinal) && name.Length == "EfficientNetB0".Length && name[^1] is >= '0' and <= '7')
        {
            var file = $"efficientnet-b{name[^1]}_weights_tf_dim_ordering_tf_kernels_autoaugment_notop.h5";
            return (EfficientNetReleases + file, file, EfficientNetSha256[name[^1] - '0']);
        }
        throw new ArgumentException($"keras-retinanet publishes no ImageNet weights for backbone '{backbone}' " +
            "(it has them for resnet50/101/152, vgg16/19, densenet121/169/201, seresnet*/seresnext*/senet154 and EfficientNetB0-B7).");
    }

    static (string, string, string?) Fchollet(string release, string name, string? md5)
    {
        var file = $"{name}_weights_tf_dim_ordering_tf_kernels_notop.h5";
        return (FcholletReleases + release + file, file, md5);
    }
}
