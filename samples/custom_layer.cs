#:project ../src/RetinaNet.Core/RetinaNet.Core.csproj
#:property PublishAot=false

// Write a Keras-style layer in C#, use it in a functional model, save the model to a Keras .h5 file and load it
// back with custom_objects, as in Python Keras.
//
//     dotnet run samples/custom_layer.cs -- [model.h5]
using RetinaNet.Core;
using RetinaNet.Core.Layers;
using static TorchSharp.torch;

NativeRuntime.Configure();   // libtorch threads and allocator, as our programs do

var path = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "scale_model.h5");

var features = keras.Input(new Shape(4), name: "features");
var hidden = new Dense(3, name: "dense").Apply(features);
var scaled = new Scale(initial: 2.0, name: "scale").Apply(hidden);
var model = keras.Model(features, scaled, name: "with_scale");
model.save(path);
Console.WriteLine($"saved {path}");

// Without the class, loading fails with Keras' own advice.
try
{
    keras.models.load_model(path);
}
catch (KerasFileException e)
{
    Console.WriteLine($"without custom_objects: {e.Message}");
}

var loaded = keras.models.load_model(path, new Dictionary<string, object> { ["Scale"] = typeof(Scale) });
using var x = arange(8, dtype: ScalarType.Float32).reshape(2, 4);
var expected = model.predict(x)[0];
var actual = loaded.predict(x)[0];
Console.WriteLine($"loaded layers: {string.Join(", ", loaded.layers.Select(l => $"{l.name} ({l.class_name})"))}");
Console.WriteLine($"same predictions after loading: {actual.allclose(expected)}");

/// <summary>Multiplies every feature by a learned factor (one per feature), starting at <c>initial</c>.</summary>
public class Scale : Layer
{
    public Scale(double initial = 1.0, string? name = null) : base(name) => this.initial = initial;
    public double initial { get; }
    KerasVariable factor = null!;

    public override void build(Shapes input_shape)
    {
        Shape shape = input_shape;
        factor = add_weight("factor", new Shape(shape[-1]), new Constant(initial));
    }

    public override Tensors call(Tensors inputs, bool training = false) => ((Tensor)inputs) * factor.value;
    public override Shapes compute_output_shape(Shapes input_shape) => input_shape;

    public override System.Text.Json.Nodes.JsonObject get_config()
    {
        var config = base.get_config();
        config["initial"] = initial;
        return config;
    }
}
