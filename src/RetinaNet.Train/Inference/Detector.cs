using RetinaNet.Core;
using RetinaNet.Inference;
using RetinaNet.Train.Utils;
using SkiaSharp;
using static TorchSharp.torch;

namespace RetinaNet.Train.Inference;

/// <summary>
/// Runs an inference model on image files the way keras-retinanet's examples do: read (BGR) → resize
/// (min/max side) → preprocess (caffe or tf) → predict → divide the boxes by the resize scale.
/// </summary>
public sealed class Detector(Model model, Func<int, string> label_to_name, string preprocess_mode = "caffe",
    double image_min_side = 800, double image_max_side = 1333, bool no_resize = false)
{
    /// <summary>The detections above <paramref name="score_threshold"/>, best first.</summary>
    public List<DetectedObject> detect(string image_path, double score_threshold = 0.5)
    {
        using var scope = NewDisposeScope();
        var image = ImageIO.read_image_bgr(image_path);
        return detect(image, score_threshold);
    }

    /// <summary>The detections for an (H, W, 3) BGR image with values 0..255.</summary>
    public List<DetectedObject> detect(Tensor bgr, double score_threshold = 0.5)
    {
        using var scope = NewDisposeScope();
        var (resized, scale) = no_resize ? (bgr, 1.0) : ImagePreprocessing.resize_image(bgr, image_min_side, image_max_side);
        var input = ImagePreprocessing.preprocess_image(resized, preprocess_mode).unsqueeze(0);
        var outputs = model.predict_on_batch(input);
        if (outputs.Count < 3)
            throw new InvalidOperationException(
                "This is a training model (outputs regression and classification); convert it first with `retinanet convert-model`.");
        var boxes = (outputs[0][0] / scale).to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        var scores = outputs[1][0].to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        var labels = outputs[2][0].to(ScalarType.Int32).cpu().contiguous().data<int>().ToArray();
        var found = new List<DetectedObject>();
        for (int i = 0; i < scores.Length; i++)
        {
            // FilterDetections pads with -1 and sorts by score, so the first low score ends the list.
            if (labels[i] < 0 || scores[i] < score_threshold) break;
            found.Add(new DetectedObject(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3], scores[i], labels[i], label_to_name(labels[i])));
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
