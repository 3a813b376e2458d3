using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using RetinaNet.Core;
using RetinaNet.Core.Layers;
using RetinaNet.Core.Onnx;
using RetinaNet.Layers;
using RetinaNet.Layers.Onnx;
using static TorchSharp.torch;
using OrtTensors = Microsoft.ML.OnnxRuntime.Tensors;

namespace RetinaNet.Tests.Layers.Onnx;

/// <summary>
/// The SE backbones' pieces exported to ONNX: classification_models' GroupConv2D (Lambda slices, a convolution per
/// group, Concatenate), its ChannelSE (the expand_dims Lambda) and a Conv2D with <c>groups</c>, on a model small enough
/// for the suite (a whole SE-ResNeXt-50 detector takes minutes to build, run and export on two cores).
/// </summary>
public class SeNetLambdaOnnxTests
{
    static Model SeBlocksModel()
    {
        var input = keras.Input(new Shape(null, null, 8));
        KerasTensor x = new ZeroPadding2D(1).Apply(input);
        var groups = new KerasTensors(Enumerable.Range(0, 4).Select(g =>
        {
            var slice = new Lambda(SeNetFunctions.slice_tensor, new JsonObject { ["start"] = 2L * g, ["stop"] = 2L * g + 2, ["axis"] = 3L }).Apply(x);
            return (KerasTensor)new Conv2D(3, 3, strides: 2, use_bias: false).Apply(slice);
        }).ToList());
        x = new Concatenate(axis: 3).Apply(groups);
        x = new Activation("relu").Apply(new BatchNormalization(axis: 3, epsilon: SeNet.Epsilon).Apply(x));
        x = SeResNet.ChannelSE(x, reduction: 4);
        var grouped = new Conv2D(8, 3, padding: "same", groups: 2).Apply(x);
        return keras.Model(input, new KerasTensors(grouped, x));
    }

    [Test]
    public void GroupSlices_ChannelSE_AndGroupedConv2D_ExportedGivePredictsOutputs_AtTwoSizes()
    {
        keras.backend.clear_session();
        manual_seed(3);
        var model = SeBlocksModel();
        var path = Path.Combine(Path.GetTempPath(), $"se-blocks-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxExporter.Export(model, path, new OnnxExportOptions { Converters = RetinaNetOnnx.Registry() });
            using var session = new InferenceSession(path);
            foreach (var (h, w) in new[] { (9, 12), (16, 10) })
            {
                using var scope = NewDisposeScope();
                var image = randn(1, h, w, 8);
                var ours = model.predict_on_batch(image);
                var input = NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(),
                    new OrtTensors.DenseTensor<float>(image.contiguous().data<float>().ToArray(), image.shape.Select(d => (int)d).ToArray()));
                using var results = session.Run(new[] { input });
                var theirs = results.Select(r => r.AsTensor<float>().ToArray()).ToArray();
                for (int i = 0; i < 2; i++)
                {
                    var expected = ours[i].contiguous().data<float>().ToArray();
                    Assert.That(theirs[i], Has.Length.EqualTo(expected.Length), $"output {i} at {h}x{w}");
                    for (int j = 0; j < expected.Length; j++)
                        Assert.That(theirs[i][j], Is.EqualTo(expected[j]).Within(1e-4), $"output {i} element {j} at {h}x{w}");
                }
            }
            OnnxComparison.AssertOnnxCheckerAccepts(path);
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void LambdaWithoutMapping_IsRefusedNamingItsFunction()
    {
        keras.backend.clear_session();
        var other = new LambdaFunction("halve", (x, _) => x / 2, (s, _) => s);
        var input = keras.Input(new Shape(null, null, 3));
        var model = keras.Model(input, new Lambda(other, name: "halving").Apply(input));
        var e = Assert.Throws<OnnxExportException>(() => OnnxExporter.ToModelProto(model, new OnnxExportOptions { Converters = RetinaNetOnnx.Registry() }));
        Assert.That(e!.Message, Does.Contain("halving").And.Contain("halve"));
    }
}
