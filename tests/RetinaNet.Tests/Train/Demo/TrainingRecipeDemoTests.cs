using System.Globalization;
using RetinaNet.Core;
using RetinaNet.Core.Layers;
using RetinaNet.Layers;
using RetinaNet.Tests.Train.Cli;

namespace RetinaNet.Tests.Train.Demo;

/// <summary>A short demo with all three v2 recipe options trains (finite, falling loss) and saves a model that keeps them.</summary>
[NonParallelizable]
public class TrainingRecipeDemoTests
{
    [Test]
    public void Demo_WithGroupNormHeads_GiouLoss_AndP6FromP5_TrainsAndKeepsThemInTheModel()
    {
        var output = Directory.CreateTempSubdirectory("rn-recipe-demo").FullName;
        try
        {
            var (code, stdout, stderr) = CliRunner.Run("demo", "--backbone", "resnet18", "--output", output, "--minutes", "0.75",
                "--train-images", "2", "--val-images", "1", "--image-size", "128", "--batch-size", "1", "--feature-size", "32",
                "--lr", "1e-3", "--head-norm", "group", "--box-loss", "giou", "--p6-from", "p5");
            Assert.That(code, Is.Zero, stderr + stdout);
            var log = File.ReadAllLines(Path.Combine(output, "training_log.csv"));
            var header = log[0].Split(',');
            var losses = log.Skip(1).Select(l => double.Parse(l.Split(',')[Array.IndexOf(header, "regression_loss")], CultureInfo.InvariantCulture)).ToList();
            TestContext.Out.WriteLine(string.Join("\n", log));
            Assert.That(losses, Is.All.Matches<double>(double.IsFinite));
            Assert.That(losses, Has.Count.GreaterThanOrEqualTo(2), "at least two epochs to compare");
            Assert.That(losses[^1], Is.LessThan(losses[0]), "the GIoU loss falls");
            var model = keras.models.load_model(Path.Combine(output, "retinanet_shapes_inference.h5"), CustomObjects.WithResNet(), compile: false);
            Assert.That(RetinaNetBuilder.FindLayer(model, "pyramid_regression_0_gn"), Is.TypeOf<GroupNormalization>());
            Assert.That(model.get_layer("P6").inbound_nodes[0].input_tensors[0].node.layer.name, Is.EqualTo("P5"));
        }
        finally { Directory.Delete(output, true); }
    }

    [Test]
    public void Train_RefusesGroupNormHeadsOfAWidthThatIsNotAMultipleOf32_BeforeAnyWork()
    {
        var options = new RetinaNet.Train.Training.TrainingOptions
        {
            recipe = new RetinaNet.Train.Training.TrainingRecipe(head_norm: "group"), feature_size = 48, no_snapshots = true,
            snapshot_path = Path.GetTempPath(),
        };
        var e = Assert.Throws<ArgumentException>(() => RetinaNet.Train.Training.TrainingPreflight.CheckOptions(options));
        Assert.That(e!.Message, Does.Contain("--head-norm group").And.Contain("--feature-size 48"));
    }
}
