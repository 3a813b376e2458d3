using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>
/// A Python function that a Keras <see cref="Lambda"/> layer wraps, implemented in C#. Register it in
/// <c>custom_objects</c> under the Python function's name (e.g. <c>expand_dims</c>); the layer's <c>arguments</c>
/// dictionary is passed to both delegates.
/// </summary>
/// <param name="name">The Python function's name.</param>
/// <param name="call">The computation on an NHWC tensor.</param>
/// <param name="output_shape">The output shape for an input shape (batch axis included).</param>
/// <param name="module">The Python module the function lives in (written to configs, as Keras does).</param>
public sealed record LambdaFunction(string name, Func<Tensor, JsonObject, Tensor> call, Func<Shape, JsonObject, Shape> output_shape,
    string? module = null);
