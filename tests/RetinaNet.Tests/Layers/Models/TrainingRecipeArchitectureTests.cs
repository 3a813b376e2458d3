using RetinaNet.Core;
using RetinaNet.Core.Layers;
using RetinaNet.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers.Models;

/// <summary>
/// The v2 recipe options change the architecture and the loss as documented: <c>--head-norm group</c> puts
/// GroupNormalization(32) between each head conv (now without bias) and its ReLU, <c>--p6-from p5</c> feeds P6 from the
/// FPN's P5 output instead of C5, and <c>--box-loss giou</c> is 1 − GIoU of the decoded boxes per positive anchor.
/// </summary>
public class TrainingRecipeArchitectureTests
{
    static Model Build(string head_norm = "none", string p6_from = "c5")
    {
        keras.backend.clear_session();
        return models.backbone("resnet18").retinanet(2, options: new RetinaNetOptions
        {
            feature_size = 32, head_feature_size = 32, head_norm = head_norm, p6_from = p6_from,
        });
    }

    [Test]
    public void HeadNormGroup_PutsGroupNorm32AfterEveryHeadConv_WhichLosesItsBias()
    {
        var plain = Build();
        var grouped = Build(head_norm: "group");
        foreach (var prefix in new[] { "pyramid_regression", "pyramid_classification" })
            for (int i = 0; i < 4; i++)
            {
                Assert.That(RetinaNetBuilder.FindLayer(plain, $"{prefix}_{i}_gn"), Is.Null);
                Assert.That(((Conv2D)RetinaNetBuilder.FindLayer(plain, $"{prefix}_{i}")!).use_bias, Is.True);
                var norm = RetinaNetBuilder.FindLayer(grouped, $"{prefix}_{i}_gn") as GroupNormalization;
                Assert.That(norm, Is.Not.Null, $"{prefix}_{i}_gn");
                Assert.That((norm!.groups, norm.epsilon), Is.EqualTo((32, 1e-5)));
                var conv = (Conv2D)RetinaNetBuilder.FindLayer(grouped, $"{prefix}_{i}")!;
                Assert.That((conv.use_bias, conv.activation), Is.EqualTo((false, "linear")));
                Assert.That(norm.inbound_nodes[0].input_tensors[0].node.layer, Is.SameAs(conv));
                Assert.That(RetinaNetBuilder.FindLayer(grouped, $"{prefix}_{i}_relu")!.inbound_nodes[0].input_tensors[0].node.layer, Is.SameAs(norm));
            }
    }

    [Test]
    public void HeadNormGroup_RefusesAHeadWidthThatIsNotAMultipleOf32()
    {
        keras.backend.clear_session();
        var e = Assert.Throws<ArgumentException>(() => models.backbone("resnet18").retinanet(2, options: new RetinaNetOptions
        {
            feature_size = 48, head_feature_size = 48, head_norm = "group",
        }));
        Assert.That(e!.Message, Does.Contain("multiple of 32"));
    }

    [Test]
    public void P6From_ChoosesTheInputOfTheP6Convolution()
    {
        Layer P6Input(Model m) => m.get_layer("P6").inbound_nodes[0].input_tensors[0].node.layer;
        var fromP5 = Build(p6_from: "p5");
        Assert.That(P6Input(fromP5), Is.SameAs(fromP5.get_layer("P5")));
        // keras-retinanet's default: C5, the backbone's last stage (512 channels in ResNet-18, not the FPN's 32).
        var fromC5 = Build();
        Assert.That(P6Input(fromC5).name, Is.Not.EqualTo("P5"));
        Assert.That(P6Input(fromC5).output.Single().shape[-1], Is.EqualTo(512L));
    }

    [Test]
    public void RecipeChoices_SurviveSaveAndLoad()
    {
        var model = Build(head_norm: "group", p6_from: "p5");
        var path = Path.Combine(Path.GetTempPath(), $"recipe-{Guid.NewGuid():N}.h5");
        try
        {
            model.save(path);
            var loaded = keras.models.load_model(path, CustomObjects.WithResNet(), compile: false);
            Assert.That(RetinaNetBuilder.FindLayer(loaded, "pyramid_classification_3_gn"), Is.TypeOf<GroupNormalization>());
            Assert.That(loaded.get_layer("P6").inbound_nodes[0].input_tensors[0].node.layer.name, Is.EqualTo("P5"));
            var inference = models.convert_model(loaded);
            Assert.That(inference.output_names, Has.Count.EqualTo(3));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void GiouLoss_EqualsAHandComputedCase()
    {
        // Unit anchor decoding, std 0.2: deltas (0, 0, 5, 0) are the box (0, 0, 2, 1); (5, 5, 5, 5) is (1, 1, 2, 2).
        // Anchor 0: predicted (0,0,2,1) vs target (0,0,1,1): IoU 1/2, hull area 2 = union: GIoU 0.5, loss 0.5.
        // Anchor 1: predicted (0,0,1,1) vs target (1,1,2,2): IoU 0, hull 4, union 2: GIoU −0.5, loss 1.5.
        // Anchors 2 (background) and 3 (ignored) do not count: (0.5 + 1.5) / 2 positives = 1.
        var yTrue = tensor(new float[]
        {
            0, 0, 0, 0, 1,
            5, 5, 5, 5, 1,
            9, 9, 9, 9, 0,
            7, 7, 7, 7, -1,
        }).view(1, 4, 5);
        var yPred = tensor(new float[]
        {
            0, 0, 5, 0,
            0, 0, 0, 0,
            3, -2, 1, 4,
            -3, 2, 8, 1,
        }).view(1, 4, 4);
        using var loss = Losses.giou().call(yTrue, yPred);
        Assert.That(loss.item<float>(), Is.EqualTo(1.0).Within(1e-5));
    }
}
