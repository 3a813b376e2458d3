using PureHDF;
using RetinaNet.Core;
using RetinaNet.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers.Models;

/// <summary>
/// The checks every backbone passes: parameter counts from the architecture, names and weight shapes, save → load
/// → identical outputs, and a saved file laid out as a real Keras file.
/// </summary>
public static class BackboneAcceptance
{
    const int F = 256, A = 9;

    /// <summary>
    /// Parameters keras-retinanet adds on top of a backbone whose C3–C5 have <paramref name="c3"/>, <paramref name="c4"/>,
    /// <paramref name="c5"/> channels (reference §1.3–1.4, 256 features, 9 anchors): 1×1 C{3,4,5}_reduced, 3×3 P3–P5,
    /// 3×3 stride-2 P6 on C5, 3×3 P7 (all with bias); each head 4× 3×3 256→256 plus a 3×3 256→A·outputs conv.
    /// Checked against keras-retinanet's logged total for resnet50 (36,382,957 for one class) in <see cref="FormulaMatchesResNet50"/>.
    /// </summary>
    public static long FpnAndHeads(long c3, long c4, long c5, int num_classes)
    {
        long Conv(long k, long cin, long cout) => k * k * cin * cout + cout;
        var fpn = Conv(1, c5, F) + Conv(1, c4, F) + Conv(1, c3, F) + 3 * Conv(3, F, F) + Conv(3, c5, F) + Conv(3, F, F);
        var tower = 4 * Conv(3, F, F);
        return fpn + tower + Conv(3, F, A * 4) + tower + Conv(3, F, A * num_classes);
    }

    /// <summary>The formula against keras-retinanet's own printed count (keras-resnet ResNet-50 has 23,561,152 parameters:
    /// keras.applications' 23,587,712 minus its 26,560 conv biases, which keras-resnet does not have).</summary>
    public static void FormulaMatchesResNet50() =>
        Assert.That(23_561_152 + FpnAndHeads(512, 1024, 2048, 1), Is.EqualTo(36_382_957));

    public static long Size(KerasVariable w) => w.shape.ToLongArray().Aggregate(1L, (a, b) => a * b);

    public static long CountParams(Model model) => model.weights.Sum(Size);

    /// <summary>Channels of the C3–C5 tensors the backbone hands to the FPN.</summary>
    public static (long c3, long c4, long c5) Channels(Backbone backbone)
    {
        var (_, layers) = backbone.backbone_layers(keras.Input(new Shape(null, null, 3)));
        return (layers["C3"].shape[-1]!.Value, layers["C4"].shape[-1]!.Value, layers["C5"].shape[-1]!.Value);
    }

    /// <summary>Weight shapes of a layer, in order.</summary>
    public static long[][] WeightShapes(Model model, string layer) =>
        model.get_layer(layer).weights.Select(w => w.shape.ToLongArray()).ToArray();

    /// <summary>
    /// Saves the model, loads it back with the backbone's custom objects, and checks the outputs are identical on
    /// an image; checks the file layout against a real Keras file from the fixtures. Returns the loaded model.
    /// </summary>
    public static Model SaveLoadAndCompare(Model model, Backbone backbone, long height, long width)
    {
        var folder = Directory.CreateTempSubdirectory("rn-backbone").FullName;
        try
        {
            var path = Path.Combine(folder, "model.h5");
            model.save(path);
            AssertKerasLayout(path, model);
            var loaded = keras.models.load_model(path, custom_objects: backbone.custom_objects, compile: false);
            Assert.That(loaded.layers.Select(l => l.name), Is.EqualTo(model.layers.Select(l => l.name)));
            using var scope = NewDisposeScope();
            manual_seed(5);
            var image = randn(1, height, width, 3);
            using (no_grad())
            {
                var before = model.predict_on_batch(image);
                var after = loaded.predict_on_batch(image);
                for (int i = 0; i < before.Count; i++)
                    Assert.That(RetinaNet.Tests.Core.Saving.TensorCompare.Same(after[i], before[i]), Is.True, $"output {i} after save → load");
            }
            return loaded;
        }
        finally { Directory.Delete(folder, true); }
    }

    static string FixtureFile(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "keras-h5", name);

    /// <summary>
    /// The saved file has the attributes a Keras 2 <c>model.save</c> writes (compared with keras-attention.h5, written
    /// by Python Keras): root keras_version/backend/model_config, <c>model_weights</c> with layer_names (every layer, in
    /// model order), one group per layer with weight_names, and each weight at <c>model_weights/{layer}/{weight name}</c>
    /// with the variable's shape.
    /// </summary>
    public static void AssertKerasLayout(string path, Model model)
    {
        using var reference = H5File.OpenRead(FixtureFile("keras-attention.h5"));
        using var file = H5File.OpenRead(path);
        var referenceRoot = reference.Attributes().Select(a => a.Name).Where(n => n != "training_config").ToHashSet();
        Assert.That(file.Attributes().Select(a => a.Name).ToHashSet(), Is.SupersetOf(referenceRoot));
        var referenceWeights = reference.Group("model_weights").Attributes().Select(a => a.Name).OrderBy(n => n);
        var weightsGroup = file.Group("model_weights");
        Assert.That(weightsGroup.Attributes().Select(a => a.Name).OrderBy(n => n), Is.EqualTo(referenceWeights));
        var layerNames = weightsGroup.Attribute("layer_names").Read<string[]>();
        Assert.That(layerNames, Is.EqualTo(model.layers.Select(l => l.name).ToArray()));
        // PureHDF rescans a group on every lookup by name: list model_weights' members once (SE-ResNeXt has 1,300).
        // A name with '/' (DenseNet's conv1/conv) is a nested group, found by its path.
        var layerGroups = weightsGroup.Children().OfType<IH5Group>().ToDictionary(g => g.Name);
        foreach (var layer in model.layers)
        {
            var group = layerGroups.TryGetValue(layer.name, out var direct) ? direct : weightsGroup.Group(layer.name);
            // Keras writes a weightless layer's weight_names as an empty float array (h5py's np.asarray([])).
            var attribute = group.Attribute("weight_names");
            var names = attribute.Type.Class == H5DataTypeClass.FloatingPoint ? Array.Empty<string>() : attribute.Read<string[]>();
            var weights = layer.weights;
            Assert.That(names, Has.Length.EqualTo(weights.Count), layer.name);
            for (int i = 0; i < names.Length; i++)
            {
                var dims = group.Dataset(names[i]).Space.Dimensions.Select(d => (long)d);
                Assert.That(dims, Is.EqualTo(weights[i].shape.ToLongArray()), $"{layer.name}/{names[i]}");
            }
        }
    }
}
