using RetinaNet.Core;
using RetinaNet.Core.Onnx;

namespace RetinaNet.Layers.Onnx;

/// <summary>
/// Exporting RetinaNet inference models to ONNX: the layer mappings (the engine's plus RetinaNet's) and the
/// conventions <c>RetinaNet.Onnx</c>'s detector reads back from the file's metadata.
/// </summary>
public static class RetinaNetOnnx
{
    /// <summary>Metadata key: the backbone's preprocessing ("caffe", "tf", "torch", "torchvision" or "none").</summary>
    public const string PreprocessModeKey = "retinanet.preprocess_mode";
    /// <summary>Metadata key: "true" when the file takes uint8 BGR pixels and preprocesses them itself.</summary>
    public const string PreprocessingIncludedKey = "retinanet.preprocessing_included";

    /// <summary>Metadata key: "true" when the graph resizes the image itself (torchvision RetinaNets): feed it at its own size.</summary>
    public const string ResizesInsideKey = "retinanet.resizes_inside";

    /// <summary>Graph input and output names.</summary>
    public static readonly IReadOnlyList<string> OutputNames = new[] { "boxes", "scores", "labels" };

    /// <summary>
    /// A registry with the engine's built-in mappings and RetinaNet's layers (Anchors, RegressBoxes, ClipBoxes,
    /// UpsampleLike, FilterDetections, keras-resnet's BatchNormalization); register custom layers on it.
    /// </summary>
    public static OnnxLayerRegistry Registry()
    {
        var registry = OnnxLayerRegistry.Builtin();
        RetinaNetOnnxConverters.RegisterAll(registry);
        return registry;
    }

    /// <summary>
    /// Options for an inference model: input <c>image</c> (N, H, W, 3) with dynamic N, H, W, outputs boxes, scores,
    /// labels (and any extra outputs), the preprocessing mode in the metadata. With
    /// <paramref name="include_preprocessing"/> the input is uint8 BGR and the backbone's normalisation is in the graph.
    /// </summary>
    /// <param name="preprocess_mode">caffe, tf or torch.</param>
    /// <param name="include_preprocessing">Take uint8 BGR and normalise in the graph.</param>
    /// <param name="registry">Layer mappings (default <see cref="Registry"/>).</param>
    /// <param name="opset">ONNX opset.</param>
    /// <param name="resizes_inside">The model resizes its input itself (a torchvision RetinaNet's inference model).</param>
    public static OnnxExportOptions Options(string preprocess_mode, bool include_preprocessing = false, OnnxLayerRegistry? registry = null,
        int opset = 17, bool resizes_inside = false) => new()
    {
        Opset = opset,
        Converters = registry ?? Registry(),
        InputName = "image",
        OutputNames = OutputNames,
        InputType = include_preprocessing ? OnnxType.UInt8 : OnnxType.Float,
        InputTransform = include_preprocessing ? (g, input) => Preprocess(g, input, preprocess_mode) : null,
        Metadata = new Dictionary<string, string>
        {
            [PreprocessModeKey] = preprocess_mode,
            [PreprocessingIncludedKey] = include_preprocessing ? "true" : "false",
            [ResizesInsideKey] = resizes_inside ? "true" : "false",
        },
    };

    /// <summary>Exports an inference model (see <see cref="Options"/>); a torchvision RetinaNet's is marked as resizing inside, with 'torch' preprocessing.</summary>
    public static void export(Model inference_model, string path, string preprocess_mode = "caffe", bool include_preprocessing = false,
        OnnxLayerRegistry? registry = null)
    {
        if (inference_model.outputs.Count < 3)
            throw new ArgumentException("Only inference models (boxes, scores, labels) are exported; convert the training model first (--from-training-model).");
        var resizesInside = TorchVision.TorchVisionRetinaNet.RecipeOf(inference_model) is not null;
        OnnxExporter.Export(inference_model, path, Options(resizesInside ? "torchvision" : preprocess_mode, include_preprocessing, registry,
            resizes_inside: resizesInside));
    }

    /// <summary>uint8 → float32, then caffe (subtract the BGR means), tf (x / 127.5 − 1), torch ((x / 255 − mean) / std) or none, as the backbone preprocesses.</summary>
    static string Preprocess(OnnxGraph g, string input, string mode)
    {
        var x = g.Add("Cast", new[] { input }, OnnxAttributes.Int("to", (long)OnnxType.Float));
        return mode switch
        {
            "caffe" => g.Add("Sub", new[] { x, g.Floats(new[] { 103.939f, 116.779f, 123.68f }, 3) }),
            "tf" => g.Add("Sub", new[] { g.Add("Div", new[] { x, g.Float(127.5f) }), g.Float(1f) }),
            "torch" => g.Add("Div", new[]
            {
                g.Add("Sub", new[] { g.Add("Div", new[] { x, g.Float(255f) }), g.Floats(new[] { 0.485f, 0.456f, 0.406f }, 3) }),
                g.Floats(new[] { 0.229f, 0.224f, 0.225f }, 3),
            }),
            "none" => x,
            // torchvision's: BGR → RGB, x / 255, minus the ImageNet mean, divided by its std.
            "torchvision" => g.Add("Div", new[]
            {
                g.Add("Sub", new[]
                {
                    g.Add("Div", new[] { g.Add("Gather", new[] { x, g.Int64s(2, 1, 0) }, OnnxAttributes.Int("axis", 3)), g.Float(255f) }),
                    g.Floats(new[] { 0.485f, 0.456f, 0.406f }, 3),
                }),
                g.Floats(new[] { 0.229f, 0.224f, 0.225f }, 3),
            }),
            _ => throw new ArgumentException($"unknown preprocessing mode '{mode}' (expected 'caffe', 'tf', 'torch' or 'none')."),
        };
    }
}
