using Microsoft.ML.OnnxRuntime;
using RetinaNet.Core;
using RetinaNet.Core.Layers;
using RetinaNet.Core.Onnx;
using static TorchSharp.torch;
using OrtTensors = Microsoft.ML.OnnxRuntime.Tensors;

namespace RetinaNet.Tests.Core.Onnx;

public class OnnxExporterTests
{
    /// <summary>A layer the exporter does not know: doubles its input.</summary>
    public sealed class Doubling(string? name = null) : Layer(name)
    {
        public override Tensors call(Tensors inputs, bool training = false) => inputs[0] * 2;
        public override Shapes compute_output_shape(Shapes input_shape) => input_shape;
    }

    static Model BuiltinLayersModel(Layer? extra = null)
    {
        var input = keras.Input(new Shape(null, null, 3));
        KerasTensor x = new ZeroPadding2D(1).Apply(input);
        x = new Conv2D(8, 3, strides: 2, padding: "same", activation: "relu").Apply(x);
        x = new BatchNormalization().Apply(x);
        var a = new DepthwiseConv2D(3, padding: "same", depth_multiplier: 2).Apply(x);
        var b = new Conv2D(16, 1).Apply(new MaxPooling2D(3, strides: 1, padding: "same").Apply(x));
        x = new Add().Apply(new KerasTensors(a, b));
        x = new ReLU(max_value: 6).Apply(x);
        if (extra is not null) x = extra.Apply(x);
        var up = new UpSampling2D(2).Apply(new AveragePooling2D(2, padding: "same").Apply(x));
        x = new Concatenate().Apply(new KerasTensors(up, new Conv2D(4, 3, padding: "same", activation: "sigmoid").Apply(x)));
        var pooled = new GlobalAveragePooling2D().Apply(x);
        var y = new Dense(5, activation: "softmax").Apply(pooled);
        return keras.Model(input, new KerasTensors(y, x));
    }

    static float[][] Ort(string path, Tensor image)
    {
        using var session = new InferenceSession(path);
        var shape = image.shape.Select(d => (int)d).ToArray();
        var input = NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(),
            new OrtTensors.DenseTensor<float>(image.contiguous().data<float>().ToArray(), shape));
        using var results = session.Run(new[] { input });
        return results.Select(r => r.AsTensor<float>().ToArray()).ToArray();
    }

    [Test]
    public void BuiltinLayers_ExportedModel_GivesPredictsOutputs_AtTwoSizes()
    {
        keras.backend.clear_session();
        var model = BuiltinLayersModel();
        var path = Path.Combine(Path.GetTempPath(), $"builtin-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxExporter.Export(model, path);
            foreach (var (h, w) in new[] { (14, 18), (22, 26) })
            {
                using var scope = NewDisposeScope();
                manual_seed(h);
                var image = randn(1, h, w, 3);
                var ours = model.predict_on_batch(image);
                var theirs = Ort(path, image);
                for (int i = 0; i < 2; i++)
                {
                    var expected = ours[i].contiguous().data<float>().ToArray();
                    Assert.That(theirs[i].Length, Is.EqualTo(expected.Length), $"output {i} at {h}x{w}");
                    for (int j = 0; j < expected.Length; j++)
                        Assert.That(theirs[i][j], Is.EqualTo(expected[j]).Within(1e-4), $"output {i} element {j} at {h}x{w}");
                }
            }
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void LayerWithoutMapping_FailsNamingTheLayerAndHowToRegister()
    {
        keras.backend.clear_session();
        var model = BuiltinLayersModel(new Doubling(name: "my_doubling"));
        Assert.That(() => OnnxExporter.ToModelProto(model),
            Throws.TypeOf<OnnxExportException>().With.Message.Contains("'my_doubling'").And.Message.Contains("Register<Doubling>"));
    }

    [Test]
    public void CustomLayer_RegisteredMapping_IsUsed()
    {
        keras.backend.clear_session();
        var model = BuiltinLayersModel(new Doubling());
        var registry = OnnxLayerRegistry.Builtin().Register<Doubling>((layer, c) =>
            new[] { c.Input with { Name = c.Graph.Add("Mul", new[] { c.Input.Name, c.Graph.Float(2) }) } });
        var path = Path.Combine(Path.GetTempPath(), $"custom-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxExporter.Export(model, path, new OnnxExportOptions { Converters = registry });
            using var scope = NewDisposeScope();
            manual_seed(1);
            var image = randn(1, 14, 14, 3);
            var expected = model.predict_on_batch(image)[0].contiguous().data<float>().ToArray();
            Assert.That(Ort(path, image)[0], Is.EqualTo(expected).Within(1e-4));
        }
        finally { File.Delete(path); }
    }
}
