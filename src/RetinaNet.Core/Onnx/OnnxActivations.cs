namespace RetinaNet.Core.Onnx;

/// <summary>The ONNX nodes of Keras' named activations (<see cref="Activations"/>), applied along Keras' last axis.</summary>
public static class OnnxActivations
{
    /// <summary>Applies activation <paramref name="name"/> (null or "linear": none) to <paramref name="x"/>.</summary>
    public static OnnxValue Apply(OnnxGraph g, string? name, OnnxValue x)
    {
        string One(string op, params global::Onnx.AttributeProto[] attributes) => g.Add(op, new[] { x.Name }, attributes);
        string? result = (name ?? "linear") switch
        {
            "linear" => null,
            "relu" => One("Relu"),
            "relu6" => g.Add("Clip", new[] { x.Name, g.Float(0), g.Float(6) }),
            "sigmoid" => One("Sigmoid"),
            // Keras 2: clip(0.2·x + 0.5, 0, 1), which is ONNX's HardSigmoid with these coefficients.
            "hard_sigmoid" => One("HardSigmoid", OnnxAttributes.Float("alpha", 0.2f), OnnxAttributes.Float("beta", 0.5f)),
            "softmax" => One("Softmax", OnnxAttributes.Int("axis", x.OnnxAxis(-1))),
            "log_softmax" => One("LogSoftmax", OnnxAttributes.Int("axis", x.OnnxAxis(-1))),
            "tanh" => One("Tanh"),
            "elu" => One("Elu", OnnxAttributes.Float("alpha", 1f)),
            "selu" => One("Selu"),
            "softplus" => One("Softplus"),
            "softsign" => One("Softsign"),
            "swish" or "silu" => g.Add("Mul", new[] { x.Name, One("Sigmoid") }),
            // Exact (erf) GELU, libtorch's default; opset 17 has no Gelu operator.
            "gelu" => g.Add("Mul", new[] { g.Add("Mul", new[] { x.Name, g.Float(0.5f) }),
                g.Add("Add", new[] { g.Add("Erf", new[] { g.Add("Div", new[] { x.Name, g.Float(MathF.Sqrt(2f)) }) }), g.Float(1f) }) }),
            "exponential" => One("Exp"),
            "leaky_relu" => One("LeakyRelu", OnnxAttributes.Float("alpha", 0.2f)),
            _ => throw new OnnxExportException($"activation '{name}' has no ONNX mapping."),
        };
        return result is null ? x : x with { Name = result };
    }
}
