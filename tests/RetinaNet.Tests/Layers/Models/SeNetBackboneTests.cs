using RetinaNet.Core;
using RetinaNet.Core.Layers;
using RetinaNet.Layers;
using static RetinaNet.Tests.Layers.Models.BackboneAcceptance;

namespace RetinaNet.Tests.Layers.Models;

/// <summary>
/// keras-retinanet's SE-ResNet-50/101/152, SE-ResNeXt-50/101 and SENet-154 backbones against classification_models'
/// <c>senet.py</c>: parameter counts from the architecture, the auto-numbered names of keras-retinanet's C-layer table,
/// names and weight shapes derived by hand from the Python code's creation order, and save → load.
/// </summary>
public class SeNetBackboneTests
{
    [SetUp]
    public void ResetNames() => keras.backend.clear_session();

    /// <summary>
    /// senet.py without top, counted layer by layer (no conv bias outside the SE block; BatchNormalization
    /// <paramref name="bn"/> weights per channel: Keras holds 4, PyTorch 2 parameters). Stem: 7×7 conv 3→64 + BN, or
    /// for SENet-154 three 3×3 convs 3→64→64→128 + BN each. Stage s (filters f = 256·2^s) repeats a block on c_in:
    /// SE-ResNet 1×1 c_in→f/4, 3×3 f/4→f/4, 1×1 f/4→f; SE-ResNeXt (32×4d) 1×1 c_in→f/2, grouped 3×3 (32 groups)
    /// f/2→f/2, 1×1 f/2→f; SENet-154 1×1 c_in→f/2, grouped 3×3 (64 groups) f/2→f, 1×1 f→f; each conv + BN. The first
    /// block of a stage adds a shortcut conv c_in→f + BN (1×1; 3×3 for SENet-154 after stage 1), every block an SE
    /// block (1×1 f→f/16 and f/16→f with biases).
    /// </summary>
    internal static long SeNetParams(string model, int bn = 4, bool se = true, bool top = false)
    {
        var p = SeNet.Models[model];
        long total, cin;
        if (p.input_3x3) { total = 9 * 3 * 64 + 9 * 64 * 64 + 9 * 64 * 128 + bn * (64 + 64 + 128); cin = 128; }
        else { total = 49 * 3 * 64 + bn * 64; cin = 64; }
        for (int stage = 0; stage < 4; stage++)
        {
            long f = 256L << stage;
            for (int block = 0; block < p.repetitions[stage]; block++)
            {
                total += p.residual_block switch
                {
                    SeNet.Block.SEResNetBottleneck => cin * (f / 4) + 9 * (f / 4) * (f / 4) + (f / 4) * f + bn * (f / 4 + f / 4 + f),
                    SeNet.Block.SEResNeXtBottleneck => cin * (f / 2) + 9 * (f / 2) * (f / 2) / 32 + (f / 2) * f + bn * (f / 2 + f / 2 + f),
                    _ => cin * (f / 2) + 9 * (f / 2 / 64) * (f / 64) * 64 + f * f + bn * (f / 2 + f + f),
                };
                if (block == 0) total += (p.input_3x3 && stage > 0 ? 9 : 1) * cin * f + bn * f;
                if (se) total += 2 * f * (f / 16) + f / 16 + f;
                cin = f;
            }
        }
        return top ? total + 2048 * 1000 + 1000 : total;
    }

    /// <summary>
    /// The formula with PyTorch's conventions (2 BatchNormalization parameters per channel, the 1000-way classifier)
    /// gives the published counts: torchvision's ResNet-50/101/152 and ResNeXt-50 32×4d without SE blocks, and
    /// Cadene's pretrainedmodels SE networks (the PyTorch models classification_models ports) with them.
    /// </summary>
    [TestCase("seresnet50", false, 25_557_032L)]
    [TestCase("seresnet101", false, 44_549_160L)]
    [TestCase("seresnet152", false, 60_192_808L)]
    [TestCase("seresnext50", false, 25_028_904L)]
    [TestCase("seresnet50", true, 28_088_024L)]
    [TestCase("seresnet101", true, 49_326_872L)]
    [TestCase("seresnet152", true, 66_821_848L)]
    [TestCase("seresnext50", true, 27_559_896L)]
    [TestCase("seresnext101", true, 48_955_416L)]
    [TestCase("senet154", true, 115_088_984L)]
    public void Formula_GivesPublishedPyTorchCounts(string model, bool se, long published) =>
        Assert.That(SeNetParams(model, bn: 2, se: se, top: true), Is.EqualTo(published));

    /// <summary>Names of the layers feeding a layer's (only) call.</summary>
    static string[] Inputs(Model model, string layer) =>
        model.get_layer(layer).inbound_nodes.Single().input_tensors.Select(t => t.layer.name).ToArray();

    /// <summary>Stem activations + 5 per block (two in the bottleneck, two in the SE block, one after the Add).</summary>
    static int Activations(string model) => (SeNet.Models[model].input_3x3 ? 3 : 1) + 5 * SeNet.Models[model].repetitions.Sum();

    /// <summary>
    /// keras-retinanet's parameter count (backbone + <see cref="BackboneAcceptance.FpnAndHeads"/>) for 1 and 80
    /// classes; C3–C5 are keras-retinanet's layers with the channels and strides (8, 16, 32) of the architecture;
    /// the activations are numbered 1…N with N from the architecture. The backbone is built once (the heavy part,
    /// seconds for SENet-154's 7,300 layers) and both detectors are built on its C-layers, as <c>retinanet()</c> does.
    /// </summary>
    [TestCase("seresnet50", "activation_36", "activation_66", "activation_81", 512)]
    [TestCase("seresnet101", "activation_36", "activation_151", "activation_166", 512)]
    [TestCase("seresnet152", "activation_56", "activation_236", "activation_251", 512)]
    [TestCase("seresnext50", "activation_37", "activation_67", "activation_81", 512)]
    [TestCase("seresnext101", "activation_37", "activation_152", "activation_166", 512)]
    [TestCase("senet154", "activation_59", "activation_239", "activation_253", 512)]
    public void ParameterCounts_CLayersAndActivationNumbers_AreKerasRetinanets(string name, string c3, string c4, string c5, long c3Channels)
    {
        var backbone = models.backbone(name);
        Assert.That(backbone.preprocess_mode, Is.EqualTo("torch"));
        var inputs = keras.Input(new Shape(64, 96, 3));
        var (_, layers) = backbone.backbone_layers(inputs);
        Assert.That(new[] { "C3", "C4", "C5" }.Select(c => layers[c].layer.name), Is.EqualTo(new[] { c3, c4, c5 }));
        long?[] Hwc(string c) => new[] { layers[c].shape[1], layers[c].shape[2], layers[c].shape[3] };
        Assert.That(Hwc("C3"), Is.EqualTo(new long?[] { 8, 12, c3Channels }));
        Assert.That(Hwc("C4"), Is.EqualTo(new long?[] { 4, 6, 1024 }));
        Assert.That(Hwc("C5"), Is.EqualTo(new long?[] { 2, 3, 2048 }));
        foreach (var classes in new[] { 1, 80 })
        {
            var model = RetinaNetBuilder.retinanet(inputs, layers, classes);
            Assert.That(CountParams(model), Is.EqualTo(SeNetParams(name) + FpnAndHeads(c3Channels, 1024, 2048, classes)), $"{classes} classes");
            var activations = model.layers.Where(l => l is Activation && l.name.StartsWith("activation_", StringComparison.Ordinal)).Select(l => l.name);
            Assert.That(activations, Is.EqualTo(Enumerable.Range(1, Activations(name)).Select(i => $"activation_{i}")));
        }
    }

    /// <summary>
    /// senet.py's creation order for SE-ResNeXt-50's stem and first block, worked out by hand from the Python code
    /// (zero_padding2d_1, conv2d_1, …; GroupConv2D creates lambda_k and conv2d_k alternately, 32 groups of 4 channels).
    /// </summary>
    [Test]
    public void SeResNeXt50_FirstBlock_HasSenetPyNamesOrderAndShapes()
    {
        var model = models.backbone("seresnext50").retinanet(1);
        var names = model.layers.Select(l => l.name).ToList();
        var expected = new List<string> { "zero_padding2d_1", "conv2d_1", "batch_normalization_1", "activation_1", "zero_padding2d_2",
            "max_pooling2d_1", "conv2d_2", "batch_normalization_2", "activation_2", "zero_padding2d_3" };
        for (int g = 1; g <= 32; g++) expected.Add($"lambda_{g}");
        for (int g = 1; g <= 32; g++) expected.Add($"conv2d_{g + 2}");
        expected.AddRange(new[] { "concatenate_1", "batch_normalization_3", "activation_3", "conv2d_35", "batch_normalization_4",
            "conv2d_36", "batch_normalization_5", "global_average_pooling2d_1", "lambda_33", "conv2d_37", "activation_4",
            "conv2d_38", "activation_5", "multiply_1", "add_1", "activation_6" });
        // Keras lists layers in topological order, not creation order: compare as sets, then check the wiring.
        var firstBlock = names.Skip(1).Take(expected.Count).ToHashSet();
        Assert.That(firstBlock, Is.EquivalentTo(expected));
        Assert.That(WeightShapes(model, "conv2d_1"), Is.EqualTo(new[] { new long[] { 7, 7, 3, 64 } }));
        Assert.That(WeightShapes(model, "conv2d_2"), Is.EqualTo(new[] { new long[] { 1, 1, 64, 128 } }));
        for (int g = 1; g <= 32; g++)
        {
            var slice = (Lambda)model.get_layer($"lambda_{g}");
            Assert.That(slice.function, Is.SameAs(SeNetFunctions.slice_tensor));
            Assert.That(slice.arguments.ToJsonString(), Is.EqualTo($"{{\"start\":{4 * (g - 1)},\"stop\":{4 * g},\"axis\":3}}"));
            Assert.That(Inputs(model, $"conv2d_{g + 2}").Single(), Is.EqualTo($"lambda_{g}"));
            Assert.That(WeightShapes(model, $"conv2d_{g + 2}"), Is.EqualTo(new[] { new long[] { 3, 3, 4, 4 } }), "no bias");
        }
        Assert.That(Inputs(model, "concatenate_1"), Is.EqualTo(Enumerable.Range(3, 32).Select(i => $"conv2d_{i}")));
        Assert.That(WeightShapes(model, "conv2d_35"), Is.EqualTo(new[] { new long[] { 1, 1, 128, 256 } }));
        Assert.That(WeightShapes(model, "conv2d_36"), Is.EqualTo(new[] { new long[] { 1, 1, 64, 256 } }), "shortcut");
        Assert.That(Inputs(model, "conv2d_36").Single(), Is.EqualTo("max_pooling2d_1"));
        Assert.That(((Lambda)model.get_layer("lambda_33")).function, Is.SameAs(SeNetFunctions.expand_dims));
        Assert.That(WeightShapes(model, "conv2d_37"), Is.EqualTo(new[] { new long[] { 1, 1, 256, 16 }, new long[] { 16 } }));
        Assert.That(WeightShapes(model, "conv2d_38"), Is.EqualTo(new[] { new long[] { 1, 1, 16, 256 }, new long[] { 256 } }));
        Assert.That(Inputs(model, "add_1"), Is.EqualTo(new[] { "multiply_1", "batch_normalization_5" }));
        Assert.That(WeightShapes(model, "batch_normalization_1"), Has.Length.EqualTo(4), "gamma, beta, moving mean, moving variance");
        Assert.That(((BatchNormalization)model.get_layer("batch_normalization_1")).epsilon, Is.EqualTo(SeNet.Epsilon));
        // 16 blocks: 32 slices + 1 SE lambda each.
        Assert.That(names.Count(n => n.StartsWith("lambda_", StringComparison.Ordinal)), Is.EqualTo(16 * 33));
        Assert.That(names, Does.Contain("lambda_528").And.Contain("concatenate_16").And.Not.Contain("concatenate_17"));
    }

    /// <summary>SE-ResNet-50's first block (stride on the first 1×1, no groups) and SENet-154's stem and shortcuts, by hand from senet.py.</summary>
    [Test]
    public void SeResNet50AndSenet154_HaveSenetPyNamesAndShapes()
    {
        var seresnet = models.backbone("seresnet50").retinanet(1);
        foreach (var (layer, shape) in new[] { ("conv2d_2", new long[] { 1, 1, 64, 64 }), ("conv2d_3", new long[] { 3, 3, 64, 64 }),
                     ("conv2d_4", new long[] { 1, 1, 64, 256 }), ("conv2d_5", new long[] { 1, 1, 64, 256 }) })
            Assert.That(WeightShapes(seresnet, layer), Is.EqualTo(new[] { shape }), layer);
        Assert.That(WeightShapes(seresnet, "conv2d_6"), Is.EqualTo(new[] { new long[] { 1, 1, 256, 16 }, new long[] { 16 } }));
        Assert.That(seresnet.layers.Any(l => l.name is "concatenate_1" or "lambda_17"), Is.False, "16 SE lambdas, no group slices");
        // Stage 2 block 1 (block 4): stride 2 on its first 1×1 (conv2d_ numbering: 1 stem, 6 + 2·5 in stage 1 = 17).
        Assert.That(((Conv2D)seresnet.get_layer("conv2d_18")).strides.first, Is.EqualTo(2));
        Assert.That(WeightShapes(seresnet, "conv2d_18"), Is.EqualTo(new[] { new long[] { 1, 1, 256, 128 } }));

        keras.backend.clear_session();
        var senet = models.backbone("senet154").retinanet(1);
        foreach (var (layer, shape) in new[] { ("conv2d_1", new long[] { 3, 3, 3, 64 }), ("conv2d_2", new long[] { 3, 3, 64, 64 }),
                     ("conv2d_3", new long[] { 3, 3, 64, 128 }), ("conv2d_4", new long[] { 1, 1, 128, 128 }), ("conv2d_5", new long[] { 3, 3, 2, 4 }),
                     ("conv2d_68", new long[] { 3, 3, 2, 4 }), ("conv2d_69", new long[] { 1, 1, 256, 256 }), ("conv2d_70", new long[] { 1, 1, 128, 256 }) })
            Assert.That(WeightShapes(senet, layer), Is.EqualTo(new[] { shape }), layer);
        Assert.That(((Conv2D)senet.get_layer("conv2d_1")).strides.first, Is.EqualTo(2));
        Assert.That(Inputs(senet, "max_pooling2d_1").Single(), Is.EqualTo("zero_padding2d_4"));
        Assert.That(Inputs(senet, "conv2d_70").Single(), Is.EqualTo("max_pooling2d_1"), "first shortcut: 1×1, no padding");
        // Stage 2's first shortcut: ZeroPadding2D(1) then a 3×3 stride-2 conv 256→512 (conv2d_ numbering: 3 stem, 69 + 2·68
        // in stage 1, then the block's 1×1, 64 group convs and 1×1: 208 + 66 = 274).
        var shortcut = (Conv2D)senet.get_layer("conv2d_275");
        Assert.That((shortcut.kernel.shape.ToLongArray(), shortcut.strides.first), Is.EqualTo((new long[] { 3, 3, 256, 512 }, 2)));
        Assert.That(senet.get_layer(Inputs(senet, "conv2d_275").Single()), Is.InstanceOf<ZeroPadding2D>());
        Assert.That(senet.layers.Count(l => l is Lambda), Is.EqualTo(50 * 65));
    }

    /// <summary>
    /// SE-ResNeXt-50 saved and loaded: same outputs, Keras' file layout. It holds every layer kind of senet.py (the
    /// SE-ResNet and SENet-154 blocks add none: the same convolutions, paddings, SE blocks and group slices), so the
    /// heavier models are not saved in the suite (SENet-154's 7,300 layers take minutes on two cores).
    /// </summary>
    [Test]
    public void SeResNeXt50_SavedAndLoaded_GivesIdenticalOutputs_InAKerasLayout()
    {
        var backbone = models.backbone("seresnext50");
        var model = backbone.retinanet(2, options: new RetinaNetOptions { feature_size = 16, head_feature_size = 16 });
        var loaded = SaveLoadAndCompare(model, backbone, 64, 64);
        Assert.That(((Lambda)loaded.get_layer("lambda_1")).function, Is.SameAs(SeNetFunctions.slice_tensor));
        Assert.That(((Lambda)loaded.get_layer("lambda_1")).arguments.ToJsonString(), Is.EqualTo("{\"start\":0,\"stop\":4,\"axis\":3}"));
        Assert.That(((Lambda)loaded.get_layer("lambda_33")).function, Is.SameAs(SeNetFunctions.expand_dims));
    }

    /// <summary><c>--freeze-backbone</c>: every backbone layer (the Lambdas and group convolutions included) stops training; FPN and heads do not.</summary>
    [Test]
    public void FreezeBackbone_FreezesEveryClassificationModelsLayer()
    {
        var backbone = models.backbone("seresnext50");
        var model = backbone.retinanet(3, modifier: ModelModifiers.freeze);
        var trainable = model.trainable_weights.Sum(Size);
        Assert.That(trainable, Is.EqualTo(FpnAndHeads(512, 1024, 2048, 3)));
        Assert.That(model.layers.Where(l => l.name.StartsWith("conv2d_", StringComparison.Ordinal)).All(l => !l.trainable), Is.True);
    }
}
