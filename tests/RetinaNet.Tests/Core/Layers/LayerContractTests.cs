using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Core.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Layers;

/// <summary>What every standard layer owes the engine: a config that rebuilds it, and static shapes that agree with its output.</summary>
public class LayerContractTests
{
    static IEnumerable<TestCaseData> ConfiguredLayers()
    {
        TestCaseData Case(string label, Func<Layer> make) => new TestCaseData(make).SetArgDisplayNames(label);
        yield return Case("DepthwiseConv2D", () => new DepthwiseConv2D((3, 1), strides: 2, padding: "same", depth_multiplier: 2,
            activation: "relu", use_bias: false, depthwise_initializer: "he_normal", name: "dw"));
        yield return Case("BatchNormalization", () => new BatchNormalization(axis: 1, momentum: 0.9, epsilon: 1e-5, center: false,
            gamma_initializer: "zeros", name: "bn", trainable: false));
        yield return Case("BatchNormalization built", () =>
        {
            var bn = new BatchNormalization(axis: new[] { -1 });
            bn.Apply(keras.Input(new Shape(null, null, 3)));
            return bn;
        });
        yield return Case("Activation", () => new Activation("sigmoid", name: "act"));
        yield return Case("ReLU", () => new ReLU(6, 0.1, 0.5));
        yield return Case("Add", () => new Add(name: "sum"));
        yield return Case("Subtract", () => new Subtract());
        yield return Case("Multiply", () => new Multiply());
        yield return Case("Concatenate", () => new Concatenate(axis: 1));
        yield return Case("Reshape", () => new Reshape(new long[] { -1, 4 }));
        yield return Case("Permute", () => new Permute(new[] { 2, 1 }));
        yield return Case("Flatten", () => new Flatten());
        yield return Case("ZeroPadding2D", () => new ZeroPadding2D(((1, 2), (3, 4))));
        yield return Case("Cropping2D", () => new Cropping2D((1, 2)));
        yield return Case("MaxPooling2D", () => new MaxPooling2D(3, 2, "same"));
        yield return Case("AveragePooling2D", () => new AveragePooling2D((2, 3)));
        yield return Case("GlobalAveragePooling2D", () => new GlobalAveragePooling2D(keepdims: true));
        yield return Case("GlobalMaxPooling2D", () => new GlobalMaxPooling2D());
        yield return Case("UpSampling2D", () => new UpSampling2D((2, 3), interpolation: "bilinear"));
        yield return Case("Dropout", () => new Dropout(0.25, noise_shape: new Shape(null, 1, 5), seed: 3));
        yield return Case("SpatialDropout2D", () => new SpatialDropout2D(0.2, seed: 1));
    }

    /// <summary>
    /// The config goes through JSON text first, as it does in a saved model (ConfigBinder reads JSON numbers as
    /// parsed from text; it rejects the typed values a freshly built JsonObject holds).
    /// </summary>
    static JsonObject AsSaved(JsonObject config) => JsonNode.Parse(config.ToJsonString())!.AsObject();

    [TestCaseSource(nameof(ConfiguredLayers))]
    public void Config_RoundTrips(Func<Layer> make)
    {
        var layer = make();
        var config = layer.get_config();
        Assert.That(KerasObjects.Resolve(layer.GetType().Name), Is.EqualTo(layer.GetType()));
        var rebuilt = (Layer)ConfigBinder.FromType(layer.GetType(), AsSaved(config));
        Assert.That(rebuilt.GetType(), Is.EqualTo(layer.GetType()));
        Assert.That(rebuilt.get_config().ToJsonString(), Is.EqualTo(config.ToJsonString()));
        Assert.That(rebuilt.name, Is.EqualTo(layer.name));
        Assert.That(rebuilt.trainable, Is.EqualTo(layer.trainable));
    }

    static IEnumerable<TestCaseData> ImageLayers()
    {
        TestCaseData Case(string label, Func<Layer> make) => new TestCaseData(make).SetArgDisplayNames(label);
        yield return Case("DepthwiseConv2D", () => new DepthwiseConv2D(3, strides: 2, padding: "same", depth_multiplier: 2));
        yield return Case("BatchNormalization", () => new BatchNormalization());
        yield return Case("Activation", () => new Activation("tanh"));
        yield return Case("ReLU", () => new ReLU(6));
        yield return Case("Reshape", () => new Reshape(new long[] { -1, 2 }));
        yield return Case("Permute", () => new Permute(new[] { 3, 1, 2 }));
        yield return Case("Flatten", () => new Flatten());
        yield return Case("ZeroPadding2D", () => new ZeroPadding2D((1, 2)));
        yield return Case("Cropping2D", () => new Cropping2D(((1, 0), (2, 1))));
        yield return Case("MaxPooling2D", () => new MaxPooling2D(3, 2, "same"));
        yield return Case("AveragePooling2D", () => new AveragePooling2D(2, 2, "same"));
        yield return Case("GlobalAveragePooling2D", () => new GlobalAveragePooling2D());
        yield return Case("GlobalMaxPooling2D", () => new GlobalMaxPooling2D(keepdims: true));
        yield return Case("UpSampling2D", () => new UpSampling2D((2, 3)));
        yield return Case("Dropout", () => new Dropout(0.5));
        yield return Case("SpatialDropout2D", () => new SpatialDropout2D(0.5));
    }

    /// <summary>
    /// On a symbolic (None, None, None, 4) input the layer gives a shape; on a real tensor its output has the shape
    /// compute_output_shape announces, which refines the symbolic one.
    /// </summary>
    [TestCaseSource(nameof(ImageLayers))]
    public void OutputShape_MatchesEagerOutput_AndAllowsUnknownDims(Func<Layer> make)
    {
        var layer = make();
        var symbolic = layer.Apply(keras.Input(new Shape(null, null, 4))).shape;
        using var x = randn(2, 6, 7, 4);
        using var y = layer.Apply(x, training: true);
        var announced = layer.compute_output_shape(Shape.Of(x)).Single();
        Assert.That(Shape.Of(y), Is.EqualTo(announced));
        Assert.That(symbolic.IsCompatibleWith(announced), Is.True, $"symbolic {symbolic} vs {announced}");
    }
}
