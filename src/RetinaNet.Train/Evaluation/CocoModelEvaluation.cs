using RetinaNet.Core;
using RetinaNet.Train.Preprocessing;

namespace RetinaNet.Train.Evaluation;

/// <summary>
/// keras-retinanet's <c>evaluate_coco</c>: runs the inference model over a COCO set, keeps every detection scoring at
/// least the threshold (no per-image cap beyond the model's own), and scores them with pycocotools' box evaluation
/// against every annotation of the file (crowd regions as ignore regions, size ranges by the <c>area</c> field;
/// the 1/10/100 best per image and category are taken at matching time).
/// </summary>
public static class CocoModelEvaluation
{
    /// <summary>
    /// Every image's detections scoring at least <paramref name="threshold"/> (all of them, as keras-retinanet passes
    /// them on; pycocotools caps per category at matching time), with the image's annotations.
    /// </summary>
    public static List<EvaluationImage> get_images(CocoGenerator generator, Model model, double threshold = 0.05,
        Action<int, int>? progress = null, int batch_size = 1) =>
        ModelEvaluation.get_detections(generator, model, LastFloatBelow(threshold), int.MaxValue, progress: progress, batch_size: batch_size);

    /// <summary>The detections of every image as COCO results, in network order per image and class.</summary>
    public static List<CocoDetection> get_detections(CocoGenerator generator, Model model, double threshold = 0.05,
        Action<int, int>? progress = null) => to_results(generator, get_images(generator, model, threshold, progress));

    /// <summary>Detections of <see cref="get_images"/> as COCO results.</summary>
    public static List<CocoDetection> to_results(CocoGenerator generator, IReadOnlyList<EvaluationImage> images)
    {
        var results = new List<CocoDetection>();
        for (int i = 0; i < images.Count; i++)
            foreach (var (label, detections) in images[i].Detections)
                results.AddRange(detections.Select(d =>
                    new CocoDetection(generator.image_ids[i], (int)generator.label_to_coco_label(label), d.Box.ToCoco(), d.Score)));
        return results;
    }

    /// <summary>
    /// The 12 COCO figures of <paramref name="model"/> on the generator's images, or <c>null</c> when nothing scored
    /// the threshold (keras-retinanet then skips the evaluation and returns <c>None</c>).
    /// </summary>
    public static CocoEvaluationResult? evaluate(CocoGenerator generator, Model model, double threshold = 0.05,
        Action<int, int>? progress = null) => evaluate(generator, get_images(generator, model, threshold, progress));

    /// <summary>The 12 COCO figures of detections from <see cref="get_images"/>, or <c>null</c> when there are none.</summary>
    public static CocoEvaluationResult? evaluate(CocoGenerator generator, IReadOnlyList<EvaluationImage> images)
    {
        var detections = to_results(generator, images);
        if (detections.Count == 0) return null;
        return CocoEvaluation.Evaluate(generator.ground_truth, detections, imageIds: generator.image_ids,
            categoryIds: generator.category_ids.Select(id => (int)id));
    }

    /// <summary>
    /// The largest float32 <c>f</c> below <paramref name="threshold"/>: keras-retinanet stops at the first
    /// <c>score &lt; threshold</c>, a float32 score compared with a Python float in double precision, so it keeps
    /// exactly the scores <c>s &gt; f</c> that the strict float32 selection keeps.
    /// </summary>
    internal static float LastFloatBelow(double threshold)
    {
        float f = (float)threshold;
        while (f >= threshold) f = MathF.BitDecrement(f);
        return f;
    }
}
