using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace RetinaNet.Inference;

/// <summary>The raw outputs of an exported model for one image: D rows sorted by score, padded with −1.</summary>
/// <param name="Boxes">D·4 values (x1, y1, x2, y2) in network-input pixels.</param>
/// <param name="Scores">D scores.</param>
/// <param name="Labels">D labels.</param>
public sealed record RawDetections(float[] Boxes, float[] Scores, int[] Labels);

/// <summary>
/// Runs a RetinaNet model exported with <c>retinanet export</c> on ONNX Runtime, the way RetinaNet.Train's
/// <c>Detector</c> runs it on TorchSharp: read (BGR) → resize (min/max side) → preprocess (caffe or tf, or nothing
/// when the file includes it) → run → boxes divided by the resize scale. Needs no libtorch.
/// </summary>
/// <remarks>
/// The preprocessing mode and whether the file takes uint8 pixels come from the file's metadata. A file exported
/// with <c>--include-preprocessing</c> takes uint8 pixels, so a resized image is rounded to integers first (as
/// OpenCV's resize of a uint8 image does); the float input of a plain export keeps the resized values as they are,
/// which is what the TorchSharp path computes. For GPU, pass <see cref="SessionOptions"/> with the CUDA provider
/// appended (package Microsoft.ML.OnnxRuntime.Gpu).
/// </remarks>
public sealed class OnnxDetector : IDisposable
{
    readonly InferenceSession session;
    readonly Func<int, string> labelToName;
    readonly double minSide, maxSide;
    readonly bool noResize;
    readonly string inputName;

    /// <summary>Loads an exported model.</summary>
    /// <param name="modelPath">The .onnx file.</param>
    /// <param name="labelToName">Class names of labels (default: the label number).</param>
    /// <param name="imageMinSide">Resize so the smaller side is this.</param>
    /// <param name="imageMaxSide">... unless the larger side would exceed this.</param>
    /// <param name="noResize">Feed images at their own size (always, for a file whose graph resizes itself).</param>
    /// <param name="options">ONNX Runtime session options (threads, execution providers); null for the defaults (CPU).</param>
    /// <param name="preprocessMode">'caffe' or 'tf'; null to read it from the file's metadata.</param>
    public OnnxDetector(string modelPath, Func<int, string>? labelToName = null, double imageMinSide = 800, double imageMaxSide = 1333,
        bool noResize = false, SessionOptions? options = null, string? preprocessMode = null)
    {
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"ONNX model not found: '{modelPath}'", modelPath);
        try { session = options is null ? new InferenceSession(modelPath) : new InferenceSession(modelPath, options); }
        catch (OnnxRuntimeException e) { throw new InvalidDataException($"ONNX Runtime cannot load '{modelPath}': {e.Message}", e); }
        var metadata = session.ModelMetadata.CustomMetadataMap;
        PreprocessMode = preprocessMode ?? metadata.GetValueOrDefault("retinanet.preprocess_mode") ?? "caffe";
        PreprocessingIncluded = metadata.GetValueOrDefault("retinanet.preprocessing_included") == "true";
        inputName = session.InputMetadata.Keys.Single();
        if (session.OutputMetadata.Count < 3)
            throw new InvalidDataException($"'{modelPath}' is not an exported inference model (it has {session.OutputMetadata.Count} outputs, expected boxes, scores, labels).");
        this.labelToName = labelToName ?? (l => l.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // A torchvision RetinaNet resizes inside its graph (and rescales its boxes): it takes the image as it is.
        var resizesInside = metadata.GetValueOrDefault("retinanet.resizes_inside") == "true";
        (minSide, maxSide, this.noResize) = (imageMinSide, imageMaxSide, noResize || resizesInside);
    }

    /// <summary>The backbone preprocessing the model expects ('caffe' or 'tf').</summary>
    public string PreprocessMode { get; }

    /// <summary>True when the file takes uint8 BGR pixels and normalises them itself.</summary>
    public bool PreprocessingIncluded { get; }

    /// <summary>The detections in an image file with a score of at least <paramref name="scoreThreshold"/>, best first.</summary>
    public List<DetectedObject> Detect(string imagePath, double scoreThreshold = 0.5) => Detect(BgrImage.Read(imagePath), scoreThreshold);

    /// <summary>The detections in an encoded image (JPEG, PNG, ... bytes).</summary>
    public List<DetectedObject> Detect(byte[] encodedImage, double scoreThreshold = 0.5) => Detect(BgrImage.Decode(encodedImage), scoreThreshold);

    /// <summary>The detections in a decoded image, in its pixel coordinates.</summary>
    public List<DetectedObject> Detect(BgrImage image, double scoreThreshold = 0.5)
    {
        var (input, scale) = noResize ? (image, 1.0) : ImageResizing.Resize(image, minSide, maxSide);
        var raw = Run(input);
        var found = new List<DetectedObject>();
        for (int i = 0; i < raw.Scores.Length; i++)
        {
            // Sorted by score and padded with -1: the first low score ends the list.
            if (raw.Labels[i] < 0 || raw.Scores[i] < scoreThreshold) break;
            found.Add(new DetectedObject(raw.Boxes[4 * i] / scale, raw.Boxes[4 * i + 1] / scale, raw.Boxes[4 * i + 2] / scale,
                raw.Boxes[4 * i + 3] / scale, raw.Scores[i], raw.Labels[i], labelToName(raw.Labels[i])));
        }
        return found;
    }

    /// <summary>Runs the network on an image already at network size (BGR 0..255), returning its padded outputs.</summary>
    public RawDetections Run(BgrImage networkInput)
    {
        var shape = new[] { 1, networkInput.Height, networkInput.Width, 3 };
        NamedOnnxValue input = PreprocessingIncluded
            ? NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<byte>(
                networkInput.Pixels.Select(v => (byte)Math.Clamp(Math.Round(v, MidpointRounding.ToEven), 0, 255)).ToArray(), shape))
            : NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(ImageNormalization.Normalize(networkInput.Pixels, PreprocessMode), shape));
        using var results = session.Run(new[] { input });
        var outputs = results.ToList();
        return new RawDetections(outputs[0].AsTensor<float>().ToArray(), outputs[1].AsTensor<float>().ToArray(),
            outputs[2].AsTensor<int>().ToArray());
    }

    /// <inheritdoc/>
    public void Dispose() => session.Dispose();
}
