using System.Runtime.ExceptionServices;
using TorchSharp;
using RetinaNet.Core;
using RetinaNet.Train.Inference;
using RetinaNet.Train.Utils;
using SkiaSharp;
using static TorchSharp.torch;
using Generator = RetinaNet.Train.Preprocessing.Generator;

namespace RetinaNet.Train.Evaluation;

/// <summary>
/// Runs an inference model over a dataset and scores it (keras-retinanet's <c>_get_detections</c>,
/// <c>_get_annotations</c> and <c>evaluate</c>): each image goes through the one inference path,
/// <see cref="Detector.For(Generator, Model)"/> (in batches with <see cref="BatchedPrediction"/>), then <see cref="CountedDetections"/> keeps the detections that count.
/// </summary>
public static class ModelEvaluation
{
    /// <summary>Detections and annotations for every image of the generator.</summary>
    /// <param name="generator">The dataset, with its resizing and normalisation.</param>
    /// <param name="model">An inference model.</param>
    /// <param name="counted_score_threshold">Detections count only when they score strictly above this
    /// (<c>evaluate --score-threshold</c>, see <see cref="CountedDetections"/>).</param>
    /// <param name="max_detections">At most this many detections count per image.</param>
    /// <param name="save_path">Folder for drawings of the detections, or null.</param>
    /// <param name="progress">Called with (done, total) after each image.</param>
    /// <param name="batch_size">Images per network call (<c>evaluate --batch-size</c>; see <see cref="BatchedPrediction"/>:
    /// images of one input size together, the next batch read while the network runs, the same detections as one by one
    /// up to float32 rounding).</param>
    public static List<EvaluationImage> get_detections(Generator generator, Model model,
        double counted_score_threshold = CountedDetections.DefaultScoreThreshold,
        int max_detections = CountedDetections.DefaultMaxDetections, string? save_path = null, Action<int, int>? progress = null,
        int batch_size = 1)
    {
        var detector = Detector.For(generator, model);
        var images = new EvaluationImage[generator.size()];
        var done = 0;
        foreach (var result in BatchedPrediction.Run(detector, generator.size(), generator.load_image, batch_size, keep_images: save_path is not null))
        {
            using var scope = NewDisposeScope();
            using var raw = result.image;
            // Evaluation reads images the dataset has already validated: one that fails now is an error, not a skip.
            if (result.error is not null) ExceptionDispatchInfo.Capture(result.error).Throw();
            var output = result.output!;
            // The model's float32 values, narrowed back exactly, so the threshold compares in float32 as numpy does.
            var detections = CountedDetections.Select(output.boxes.Select(v => (float)v).ToArray(),
                output.scores.Select(v => (float)v).ToArray(), output.labels, (float)counted_score_threshold, max_detections);
            var image = new EvaluationImage(output.seconds);
            foreach (var (label, list) in detections)
                foreach (var d in list) image.AddDetection(label, d);
            var annotations = generator.load_annotations(result.index);
            for (int k = 0; k < annotations.Count; k++)
            {
                var (x1, y1, x2, y2) = annotations.box(k);
                image.AddAnnotation(annotations.labels[k], new CornerBox(x1, y1, x2, y2));
            }
            images[result.index] = image;

            if (save_path is not null) SaveDrawing(save_path, result.index, raw!, image, generator);
            progress?.Invoke(++done, generator.size());
        }
        return images.ToList();
    }

    /// <summary>
    /// VOC-style AP per class at <paramref name="iou_threshold"/> (keras-retinanet's <c>evaluate</c>), counting the
    /// detections scoring above <paramref name="counted_score_threshold"/> (see <see cref="get_detections"/>).
    /// </summary>
    public static VocEvaluationResult evaluate(Generator generator, Model model, double iou_threshold = 0.5,
        double counted_score_threshold = CountedDetections.DefaultScoreThreshold,
        int max_detections = CountedDetections.DefaultMaxDetections, string? save_path = null, Action<int, int>? progress = null)
    {
        var images = get_detections(generator, model, counted_score_threshold, max_detections, save_path, progress);
        var labels = Enumerable.Range(0, generator.num_classes()).Where(generator.has_label);
        return VocEvaluation.Evaluate(images, labels, iou_threshold);
    }

    static void SaveDrawing(string folder, int index, Tensor bgr, EvaluationImage image, Generator generator)
    {
        using var bitmap = Visualization.to_bitmap(bgr);
        using (var canvas = new SKCanvas(bitmap))
        {
            foreach (var (label, boxes) in image.Annotations)
                Visualization.draw_annotations(canvas, boxes.Select(b => (b.X1, b.Y1, b.X2, b.Y2)).ToList(),
                    boxes.Select(_ => label).ToList(), generator.label_to_name, new SKColor(0, 255, 0));
            foreach (var (label, detections) in image.Detections)
                Visualization.draw_detections(canvas, detections.Select(d => (d.X1, d.Y1, d.X2, d.Y2)).ToList(),
                    detections.Select(d => d.Score).ToList(), detections.Select(_ => label).ToList(), generator.label_to_name, 0.0);
        }
        Visualization.save_png(bitmap, Path.Combine(folder, $"{index}.png"));
    }
}
