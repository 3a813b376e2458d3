using TorchSharp;
using RetinaNet.Core;
using RetinaNet.Inference;
using RetinaNet.Train.Utils;
using SkiaSharp;
using static TorchSharp.torch;
using Generator = RetinaNet.Train.Preprocessing.Generator;

namespace RetinaNet.Train.Inference;

/// <summary>
/// What an inference model returned for one image, boxes already in the original image's pixels: row i is
/// <c>boxes[4i..4i+3]</c> (x1, y1, x2, y2), <c>scores[i]</c>, <c>labels[i]</c>, best first and padded with -1 as
/// <c>FilterDetections</c> leaves them (values of the model's dtype, widened to float64);
/// <paramref name="seconds"/> is the time the model took.
/// </summary>
public sealed record ModelOutput(double[] boxes, double[] scores, int[] labels, double seconds);

/// <summary>
/// An image ready for the network: <paramref name="input"/> is the resized, normalised (H, W, 3) tensor and
/// <paramref name="scale"/> the resize factor that maps its boxes back to the original image. The caller owns
/// <paramref name="input"/> (dispose it after the prediction).
/// </summary>
public sealed record PreparedImage(Tensor input, double scale) : IDisposable
{
    /// <summary>Frees the input tensor.</summary>
    public void Dispose() => input.Dispose();
}

/// <summary>
/// The one inference path (keras-retinanet's examples and <c>_get_detections</c>): read (BGR) → resize → preprocess
/// (caffe or tf) → predict → divide the boxes by the resize scale. <c>predict</c> and the demo use it with an
/// <see cref="ImageSizing"/>; evaluation uses it through <see cref="For(Generator, Model)"/> with the generator's own
/// resizing (rounded to 8-bit values, as keras-retinanet's generators do) and normalisation.
/// </summary>
public sealed class Detector
{
    readonly Model model;
    readonly Func<int, string> labelToName;
    readonly Func<Tensor, (Tensor image, double scale)> resize;
    readonly Func<Tensor, Tensor> preprocess;

    /// <summary>A detector that resizes with <paramref name="image_sizing"/> and normalises for <paramref name="preprocess_mode"/>.</summary>
    public Detector(Model model, Func<int, string> label_to_name, string preprocess_mode = "caffe", ImageSizing? image_sizing = null)
        : this(model, label_to_name, image => ImagePreprocessing.resize_image(image, image_sizing ?? ImageSizing.Default),
            image => ImagePreprocessing.preprocess_image(image, preprocess_mode))
    {
    }

    /// <summary>A detector with its own resizing (image → resized image and scale) and normalisation steps.</summary>
    public Detector(Model model, Func<int, string> label_to_name, Func<Tensor, (Tensor image, double scale)> resize,
        Func<Tensor, Tensor> preprocess)
    {
        this.model = model;
        labelToName = label_to_name;
        this.resize = resize;
        this.preprocess = preprocess;
    }

    /// <summary>The detector evaluation uses: the generator's resizing, normalisation and class names.</summary>
    public static Detector For(Generator generator, Model model) =>
        new(model, generator.label_to_name, generator.resize_image, generator.preprocess_image);

    /// <summary>
    /// The model's compute precision (<see cref="Model.dtype_policy"/>; set on the model, so it holds for every user of
    /// it): <see cref="DTypePolicy.MixedBFloat16"/> runs the network's products in bfloat16, post-processing in fp32.
    /// </summary>
    public DTypePolicy dtype_policy { get => model.dtype_policy; set => model.dtype_policy = value; }

    /// <summary>Runs the model on an (H, W, 3) BGR image with values 0..255.</summary>
    public ModelOutput predict(Tensor bgr)
    {
        using var scope = NewDisposeScope();
        return predict_batch(new[] { prepare(bgr) })[0];
    }

    /// <summary>
    /// Resizes and normalises an (H, W, 3) BGR image for the network: the first half of <see cref="predict"/>, which
    /// <see cref="BatchedPrediction"/> runs on a background thread while the network works on the previous batch.
    /// </summary>
    public PreparedImage prepare(Tensor bgr)
    {
        using var scope = NewDisposeScope();
        var (resized, scale) = resize(bgr);
        return new PreparedImage(preprocess(resized).MoveToOuterDisposeScope(), scale);
    }

    /// <summary>
    /// Runs the network once on prepared images that share one input size (stacked into one batch) and returns each
    /// image's output, boxes divided by its own scale; <see cref="ModelOutput.seconds"/> is the batch's network time
    /// shared equally. One image gives exactly what <see cref="predict"/> gives; in a larger batch oneDNN may sum in another
    /// order, so values can differ by float32 rounding.
    /// </summary>
    public IReadOnlyList<ModelOutput> predict_batch(IReadOnlyList<PreparedImage> images)
    {
        if (images.Count == 0) return Array.Empty<ModelOutput>();
        var size = images[0].input.shape;
        if (images.Any(i => !i.input.shape.SequenceEqual(size)))
            throw new ArgumentException($"The images of one batch must share their network input size; got {string.Join(", ", images.Select(i => $"{i.input.shape[0]}x{i.input.shape[1]}").Distinct())}.");
        using var scope = NewDisposeScope();
        var input = images.Count == 1 ? images[0].input.unsqueeze(0) : stack(images.Select(i => i.input).ToArray());
        var started = System.Diagnostics.Stopwatch.StartNew();
        var outputs = model.predict_on_batch(input);
        var seconds = started.Elapsed.TotalSeconds / images.Count;
        if (outputs.Count < 3)
            throw new InvalidOperationException(
                "This is a training model (outputs regression and classification); convert it first with `retinanet convert-model`.");
        var results = new ModelOutput[images.Count];
        for (int b = 0; b < images.Count; b++)
        {
            using var divisor = images[b].scale.ToScalar();
            // Divided in the model's dtype, then widened (exact for float32 outputs).
            var boxes = outputs[0][b].div(divisor).to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
            var scores = outputs[1][b].to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
            var labels = outputs[2][b].to(ScalarType.Int32).cpu().contiguous().data<int>().ToArray();
            results[b] = new ModelOutput(boxes, scores, labels, seconds);
        }
        return results;
    }

    /// <summary>The detections <c>predict</c> reports for an image file: score at least <paramref name="min_score"/>, best first.</summary>
    public List<DetectedObject> detect(string image_path, double min_score = 0.5)
    {
        using var scope = NewDisposeScope();
        var image = ImageIO.read_image_bgr(image_path);
        return detect(image, min_score);
    }

    /// <summary>
    /// The detections <c>predict</c> reports for an (H, W, 3) BGR image with values 0..255: score at least
    /// <paramref name="min_score"/> (<c>predict --score-threshold</c>), best first.
    /// </summary>
    public List<DetectedObject> detect(Tensor bgr, double min_score = 0.5) => detections(predict(bgr), min_score);

    /// <summary>The detections <c>predict</c> reports from a model output: score at least <paramref name="min_score"/>, best first.</summary>
    public List<DetectedObject> detections(ModelOutput output, double min_score = 0.5)
    {
        var found = new List<DetectedObject>();
        for (int i = 0; i < output.scores.Length; i++)
        {
            // FilterDetections pads with -1 and sorts by score, so the first low score ends the list.
            if (output.labels[i] < 0 || output.scores[i] < min_score) break;
            var b = output.boxes;
            found.Add(new DetectedObject(b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3], output.scores[i], output.labels[i],
                labelToName(output.labels[i])));
        }
        return found;
    }

    /// <summary>Draws detections over the image and saves a PNG.</summary>
    public static void draw(string image_path, IReadOnlyList<DetectedObject> detections, string png_path)
    {
        using var scope = NewDisposeScope();
        using var bitmap = Visualization.to_bitmap(ImageIO.read_image_bgr(image_path));
        using (var canvas = new SKCanvas(bitmap))
            Visualization.draw_detections(canvas, detections.Select(d => (d.x1, d.y1, d.x2, d.y2)).ToList(),
                detections.Select(d => d.score).ToList(), detections.Select(d => d.label).ToList(),
                l => detections.First(d => d.label == l).class_name, score_threshold: 0);
        Visualization.save_png(bitmap, png_path);
    }
}
