using RetinaNet.Core;
using RetinaNet.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers.Models;

public class RetinaNetSavingTests
{
    [Test]
    public void TrainingModel_SavedConvertedSavedAndLoaded_GivesTheSameDetections()
    {
        keras.backend.clear_session();
        var folder = Directory.CreateTempSubdirectory("rn-save").FullName;
        try
        {
            var training = models.backbone("resnet18_8").retinanet(num_classes: 3,
                options: new RetinaNetOptions { feature_size = 8, head_feature_size = 8 });
            // Make the classification scores spread out so that filtering and NMS have real work to do.
            var bias = RetinaNetBuilder.FindLayer(training, "pyramid_classification")!;
            bias.set_weights(new[] { bias.get_weights()[0] * 200, bias.get_weights()[1] + 3 });

            var trainingPath = Path.Combine(folder, "training.h5");
            training.save(trainingPath);
            var reloadedTraining = keras.models.load_model(trainingPath, CustomObjects.WithResNet(), compile: false);
            var inference = models.convert_model(reloadedTraining);
            var inferencePath = Path.Combine(folder, "inference.h5");
            inference.save(inferencePath);
            var loaded = models.load_model(inferencePath, "resnet18_8");

            using var scope = NewDisposeScope();
            manual_seed(3);
            var image = randn(2, 64, 80, 3) * 50;
            var before = models.convert_model(training).predict_on_batch(image);
            var after = loaded.predict_on_batch(image);
            Assert.That(after.Count, Is.EqualTo(3));
            Assert.That((before[2] >= 0).sum().item<long>(), Is.GreaterThan(0), "some detections survive the filter");
            for (int i = 0; i < 3; i++)
                Assert.That(after[i].to(ScalarType.Float32).allclose(before[i].to(ScalarType.Float32), atol: 1e-4), Is.True, $"output {i}");
            Assert.That(loaded.output_names.Distinct(), Is.EqualTo(new[] { "filtered_detections" }));
        }
        finally { Directory.Delete(folder, true); }
    }
}
