using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Core.Layers;
using RetinaNet.Layers;
using RetinaNet.Layers.Utils;
using static RetinaNet.Tests.Layers.Models.BackboneAcceptance;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers.Models;

/// <summary>
/// keras-retinanet's EfficientNetB0…B7 against the efficientnet package's architecture (qubvel/efficientnet 1.1.1,
/// <c>efficientnet.keras</c>, include_top=False): parameter counts, layer names and weight shapes, C3–C5 layers,
/// save → load, file layout, level sizes.
/// </summary>
public class EfficientNetBackboneTests
{
    [SetUp]
    public void ResetNames() => keras.backend.clear_session();

    // The package's DEFAULT_BLOCKS_ARGS (kernel, repeats, input filters, output filters, expansion, stride; SE ratio
    // 0.25 everywhere) and its (width, depth) coefficients for B0…B7, written out here independently of the product code.
    static readonly (int k, int repeats, int input, int output, int expand, int stride)[] Stages =
    {
        (3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2), (3, 3, 40, 80, 6, 2),
        (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2), (3, 1, 192, 320, 6, 1),
    };
    static readonly (double width, double depth)[] Coefficients =
        { (1.0, 1.0), (1.0, 1.1), (1.1, 1.2), (1.2, 1.4), (1.4, 1.8), (1.6, 2.2), (1.8, 2.6), (2.0, 3.1) };

    static int RoundFilters(int filters, double width)
    {
        var scaled = filters * width;
        var rounded = Math.Max(8, (int)(scaled + 4) / 8 * 8);
        return rounded < 0.9 * scaled ? rounded + 8 : rounded;
    }

    /// <summary>
    /// The package's EfficientNet without top, counted block by block: stem 3×3 conv (3→s) + BN (4·s); each MBConv
    /// block with e = in·ratio: 1×1 expansion in→e + BN (4·e) unless ratio 1, depthwise k·k·e + BN (4·e), SE 1×1 convs
    /// with bias e→r→e where r = max(1, ⌊in/4⌋), 1×1 projection e→out + BN (4·out); top 1×1 conv → round(1280) + BN.
    /// Layers: 3 stem, per block 3 (expansion) + 3 (depthwise) + 5 (SE) + 2 (projection) + 2 (drop, add) where the
    /// block keeps stride 1 and width, 3 top. Also returns the C3–C5 widths: block4a's and block6a's expansions and the top.
    /// </summary>
    static (long parameters, int layers, long c3, long c4, long c5) Architecture(int variant)
    {
        var (width, depth) = Coefficients[variant];
        var stem = RoundFilters(32, width);
        long total = 9L * 3 * stem + 4 * stem;
        int layers = 3;
        long last = stem;
        foreach (var s in Stages)
        {
            var repeats = (int)Math.Ceiling(depth * s.repeats);
            for (int i = 0; i < repeats; i++)
            {
                long input = i == 0 ? RoundFilters(s.input, width) : RoundFilters(s.output, width);
                long output = RoundFilters(s.output, width);
                long e = input * s.expand;
                long r = Math.Max(1, input / 4);
                if (s.expand != 1) { total += input * e + 4 * e; layers += 3; }
                total += s.k * s.k * e + 4 * e + (e * r + r) + (r * e + e) + e * output + 4 * output;
                layers += 3 + 5 + 2;
                if ((i > 0 || s.stride == 1) && input == output) layers += 2;
                last = output;
            }
        }
        long top = RoundFilters(1280, width);
        total += last * top + 4 * top;
        return (total, layers + 3, RoundFilters(40, width) * 6, RoundFilters(112, width) * 6, top);
    }

    // qubvel/efficientnet's published parameter counts with the ImageNet top (README; equal to tf.keras.applications'
    // less its 7 Normalization weights); the top is a Dense c5 → 1000 with bias.
    static readonly long[] PublishedWithTop =
        { 5_330_564, 7_856_232, 9_177_562, 12_320_528, 19_466_816, 30_562_520, 43_265_136, 66_658_680 };

    [Test]
    public void ArchitectureFormula_MatchesThePackagesPublishedCounts_ForB0ToB7()
    {
        for (int n = 0; n < 8; n++)
        {
            var (parameters, _, _, _, c5) = Architecture(n);
            Assert.That(parameters + c5 * 1000 + 1000, Is.EqualTo(PublishedWithTop[n]), $"B{n}");
        }
    }

    [Test]
    public void FpnAndHeadsFormula_GivesKerasRetinanetsResNet50Count() => FormulaMatchesResNet50();

    /// <summary>
    /// Builds without running the initializers, as <c>load_model</c> does before reading a file's weights (the engine's
    /// internal <c>WeightInitialization.Skip</c>): shapes and counts are the same, and B4–B7 (19–64 M parameters) build
    /// in seconds instead of spending most of their time drawing truncated-normal kernels.
    /// </summary>
    static IDisposable WithoutInitializers() =>
        (IDisposable)typeof(Layer).Assembly.GetType("RetinaNet.Core.WeightInitialization")!.GetMethod("Skip")!.Invoke(null, null)!;

    // Every variant is built: count = the architecture above + FPN and heads (BackboneAcceptance.FpnAndHeads); layers =
    // input + backbone + 13 FPN layers + 2 submodels + 2 concatenations.
    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    [TestCase(5)]
    [TestCase(6)]
    [TestCase(7)]
    public void ParameterCounts_AreThePackagesPlusFpnAndHeads_For1And80Classes(int variant)
    {
        var backbone = models.backbone($"EfficientNetB{variant}");
        var (parameters, layers, c3, c4, c5) = Architecture(variant);
        using var skip = WithoutInitializers();
        foreach (var classes in new[] { 1, 80 })
        {
            keras.backend.clear_session();
            var retinanet = backbone.retinanet(classes);
            Assert.That(EfficientNet.OutputNames.Select(n => retinanet.get_layer(n).output.Single().shape[-1]!.Value),
                Is.EqualTo(new[] { c3, c4, c5 }));
            Assert.That(CountParams(retinanet), Is.EqualTo(parameters + FpnAndHeads(c3, c4, c5, classes)), $"{classes} classes");
            Assert.That(retinanet.layers, Has.Count.EqualTo(1 + layers + 13 + 2 + 2));
        }
    }

    [Test]
    public void B0_HasThePackagesLayerNamesInOrder_ShapesAndC3ToC5()
    {
        var backbone = models.backbone("EfficientNetB0");
        var (feature, layers) = backbone.backbone_layers(keras.Input(new Shape(null, null, 3)));
        Assert.That(new[] { "C3", "C4", "C5" }.Select(c => layers[c].layer.name),
            Is.EqualTo(new[] { "block4a_expand_activation", "block6a_expand_activation", "top_activation" }));
        Assert.That(layers.ContainsKey("C2"), Is.False);
        Assert.That(feature.name, Is.EqualTo("efficientnet-b0"));
        keras.backend.clear_session();
        var model = backbone.retinanet(1);
        string[] Block(string p, bool expand, bool residual) =>
            (expand ? new[] { "expand_conv", "expand_bn", "expand_activation" } : Array.Empty<string>())
            .Concat(new[] { "dwconv", "bn", "activation", "se_squeeze", "se_reshape", "se_reduce", "se_expand", "se_excite", "project_conv", "project_bn" })
            .Concat(residual ? new[] { "drop", "add" } : Array.Empty<string>()).Select(n => p + n).ToArray();
        var expected = new[] { model.layers[0].name, "stem_conv", "stem_bn", "stem_activation" }
            .Concat(Block("block1a_", false, false)).Concat(Block("block2a_", true, false)).Concat(Block("block2b_", true, true))
            .Concat(Block("block3a_", true, false)).ToArray();
        Assert.That(model.layers.Take(expected.Length).Select(l => l.name), Is.EqualTo(expected));
        var names = model.layers.Select(l => l.name).ToList();
        Assert.That(names.IndexOf("top_activation"), Is.EqualTo(names.IndexOf("top_conv") + 2));
        Assert.That(names, Does.Contain("block6d_add").And.Contain("block7a_project_bn").And.Not.Contain("block7a_add").And.Not.Contain("block7b_dwconv"));

        Assert.That(WeightShapes(model, "stem_conv"), Is.EqualTo(new[] { new long[] { 3, 3, 3, 32 } }));
        Assert.That(WeightShapes(model, "stem_bn"), Has.Length.EqualTo(4).And.All.EqualTo(new long[] { 32 }));
        Assert.That(WeightShapes(model, "block1a_dwconv"), Is.EqualTo(new[] { new long[] { 3, 3, 32, 1 } }));
        Assert.That(WeightShapes(model, "block1a_se_reduce"), Is.EqualTo(new[] { new long[] { 1, 1, 32, 8 }, new long[] { 8 } }));
        Assert.That(WeightShapes(model, "block1a_se_expand"), Is.EqualTo(new[] { new long[] { 1, 1, 8, 32 }, new long[] { 32 } }));
        Assert.That(WeightShapes(model, "block1a_project_conv"), Is.EqualTo(new[] { new long[] { 1, 1, 32, 16 } }));
        Assert.That(WeightShapes(model, "block2a_expand_conv"), Is.EqualTo(new[] { new long[] { 1, 1, 16, 96 } }));
        Assert.That(WeightShapes(model, "block2a_se_reduce"), Is.EqualTo(new[] { new long[] { 1, 1, 96, 4 }, new long[] { 4 } }));
        Assert.That(WeightShapes(model, "block3a_dwconv"), Is.EqualTo(new[] { new long[] { 5, 5, 144, 1 } }));
        Assert.That(WeightShapes(model, "block6a_expand_conv"), Is.EqualTo(new[] { new long[] { 1, 1, 112, 672 } }));
        Assert.That(WeightShapes(model, "block7a_project_conv"), Is.EqualTo(new[] { new long[] { 1, 1, 1152, 320 } }));
        Assert.That(WeightShapes(model, "top_conv"), Is.EqualTo(new[] { new long[] { 1, 1, 320, 1280 } }));
        Assert.That(WeightShapes(model, "top_bn"), Has.Length.EqualTo(4).And.All.EqualTo(new long[] { 1280 }));
    }

    [Test]
    public void B0_LayerConfigs_AreThePackages_SwishSameVarianceScalingAndDropConnect()
    {
        var model = models.backbone("EfficientNetB0").retinanet(1);
        JsonObject Config(string name) => model.get_layer(name).get_config();
        Assert.That(Config("stem_conv")["strides"]!.ToJsonString(), Is.EqualTo("[2,2]"));
        Assert.That((string)Config("stem_conv")["padding"]!, Is.EqualTo("same"));
        Assert.That((bool)Config("stem_conv")["use_bias"]!, Is.False);
        Assert.That(Config("stem_conv")["kernel_initializer"]!.ToJsonString(), Is.EqualTo(
            """{"class_name":"VarianceScaling","config":{"scale":2,"mode":"fan_out","distribution":"truncated_normal","seed":null}}"""));
        Assert.That(Config("block2a_dwconv")["depthwise_initializer"]!.ToJsonString(), Does.Contain("fan_out"));
        Assert.That((string)Config("block3a_dwconv")["padding"]!, Is.EqualTo("same"));
        Assert.That(Config("block3a_dwconv")["strides"]!.ToJsonString(), Is.EqualTo("[2,2]"));
        var bn = (BatchNormalization)model.get_layer("block2a_bn");
        Assert.That((bn.epsilon, bn.momentum), Is.EqualTo((1e-3, 0.99)));
        Assert.That((string)Config("stem_activation")["activation"]!, Is.EqualTo("swish"));
        Assert.That((string)Config("block1a_se_reduce")["activation"]!, Is.EqualTo("swish"));
        Assert.That((bool)Config("block1a_se_reduce")["use_bias"]!, Is.True);
        Assert.That((string)Config("block1a_se_expand")["activation"]!, Is.EqualTo("sigmoid"));
        Assert.That(Config("block1a_se_reshape")["target_shape"]!.ToJsonString(), Is.EqualTo("[1,1,32]"));
        Assert.That(model.get_layer("block1a_se_excite"), Is.TypeOf<Multiply>());
        Assert.That(model.get_layer("block2b_add"), Is.TypeOf<Add>());
        // Drop-connect rate 0.2 · block index / 16 (efficientnet 1.1.1 divides by the unscaled block count).
        var drop = (FixedDropout)model.get_layer("block2b_drop");
        Assert.That(drop.class_name, Is.EqualTo("FixedDropout"));
        Assert.That(drop.rate, Is.EqualTo(0.2 * 2 / 16));
        Assert.That(((FixedDropout)model.get_layer("block6d_drop")).rate, Is.EqualTo(0.2 * 14 / 16));
        Assert.That(Config("block2b_drop")["noise_shape"]!.ToJsonString(), Is.EqualTo("[null,1,1,1]"));
    }

    [Test]
    public void B0_SavedAndLoaded_GivesIdenticalOutputs_InAKerasLayout_AndNeedsItsCustomObjects()
    {
        var backbone = models.backbone("EfficientNetB0");
        Assert.That(backbone.preprocess_mode, Is.EqualTo("torch"));
        Assert.That(backbone.custom_objects["FixedDropout"], Is.EqualTo(typeof(FixedDropout)));
        Assert.That(backbone.custom_objects, Contains.Key("swish"));
        var model = backbone.retinanet(2, options: new RetinaNetOptions { feature_size = 16, head_feature_size = 16 });
        var loaded = SaveLoadAndCompare(model, backbone, 70, 90);
        Assert.That(loaded.get_layer("block2b_drop"), Is.TypeOf<FixedDropout>());

        var folder = Directory.CreateTempSubdirectory("rn-effnet").FullName;
        try
        {
            var path = Path.Combine(folder, "model.h5");
            model.save(path);
            var e = Assert.Throws<KerasFileException>(() => keras.models.load_model(path, custom_objects: CustomObjects.Create(), compile: false));
            Assert.That(e!.Message, Does.Contain("FixedDropout"));
        }
        finally { Directory.Delete(folder, true); }
    }

    /// <summary>A FixedDropout config as efficientnet.keras writes it into an .h5 (tf.keras 2.3 Dropout keys).</summary>
    [Test]
    public void FixedDropoutConfigWrittenByPython_LoadsThroughTheBackbonesCustomObjects()
    {
        var config = (JsonObject)JsonNode.Parse("""
            {"name": "block3b_drop", "trainable": true, "dtype": "float32", "rate": 0.05, "noise_shape": [null, 1, 1, 1], "seed": null}
            """)!;
        using (keras.utils.custom_object_scope(models.backbone("EfficientNetB0").custom_objects))
        {
            var layer = (FixedDropout)ConfigBinder.Instantiate<Layer>(KerasObjects.Resolve("FixedDropout")!, config, "FixedDropout", "layer", null);
            Assert.That((layer.name, layer.rate), Is.EqualTo(("block3b_drop", 0.05)));
            Assert.That(layer.get_config().ToJsonString(), Is.EqualTo(config.ToJsonString().Replace(" ", "")));
        }
    }

    [TestCase(100, 124)]
    [TestCase(97, 131)]
    public void SamePaddingGivesCeilLevelSizes_SoGuessedAnchorShapesLineUp(int height, int width)
    {
        var model = models.backbone("EfficientNetB0").retinanet(1, options: new RetinaNetOptions { feature_size = 8, head_feature_size = 8 });
        var image = new long[] { height, width };
        using var scope = NewDisposeScope();
        var outputs = model.predict_on_batch(zeros(1, height, width, 3));
        Assert.That(AnchorMath.anchors_for_shape(image).shape[0], Is.EqualTo(outputs[0].shape[1]));
        Assert.That(PyramidShapes.make_shapes_callback(model)(image, new[] { 3, 4, 5, 6, 7 }),
            Is.EqualTo(AnchorMath.guess_shapes(image, new[] { 3, 4, 5, 6, 7 })));
        Assert.That(PyramidShapes.For("EfficientNetB0", model), Is.EqualTo((ShapesCallback)AnchorMath.guess_shapes));
    }

    [Test]
    public void FreezeBackbone_FreezesEveryBackboneLayer_AndNothingElse()
    {
        var model = models.backbone("EfficientNetB0").retinanet(1, modifier: ModelModifiers.freeze,
            options: new RetinaNetOptions { feature_size = 8, head_feature_size = 8 });
        Assert.That(model.get_layer("top_conv").trainable, Is.False);
        Assert.That(model.get_layer("block1a_se_reduce").trainable, Is.False);
        Assert.That(model.get_layer("C5_reduced").trainable, Is.True);
        Assert.That(model.trainable_weights.Sum(Size), Is.EqualTo(
            new[] { "C3_reduced", "C4_reduced", "C5_reduced", "P3", "P4", "P5", "P6", "P7", "regression_submodel", "classification_submodel" }
                .Sum(n => model.get_layer(n).trainable_weights.Sum(Size))));
    }

    [Test]
    public void UnknownVariants_AreRefusedWithKerasRetinanetsMessage()
    {
        var e = Assert.Throws<ArgumentException>(() => models.backbone("EfficientNetB8"));
        Assert.That(e!.Message, Does.Contain("EfficientNetB8").And.Contain("'EfficientNetB7'"));
        Assert.That(models.backbone("EfficientNetB3"), Is.TypeOf<EfficientNetBackbone>());
    }
}
