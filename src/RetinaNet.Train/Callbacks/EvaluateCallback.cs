using RetinaNet.Core;
using RetinaNet.Train.Evaluation;
using Generator = RetinaNet.Train.Preprocessing.Generator;

namespace RetinaNet.Train.Callbacks;

/// <summary>
/// keras-retinanet's <c>Evaluate</c> callback: after each epoch, VOC mAP of the inference model on the validation
/// generator (counting detections above <paramref name="score_threshold"/>, see <see cref="CountedDetections"/>), written to
/// <c>logs["mAP"]</c> (and to TensorBoard as <c>mAP</c> and <c>AP_&lt;class&gt;</c>); with <c>report_dir</c>, also a
/// detailed report per epoch in <c>report_dir/epoch_NN</c>.
/// </summary>
public sealed class EvaluateCallback(Generator generator, Model prediction_model, double iou_threshold = 0.5,
    double score_threshold = CountedDetections.DefaultScoreThreshold, int max_detections = CountedDetections.DefaultMaxDetections,
    bool weighted_average = false,
    TensorBoardEventWriter? tensorboard = null, int verbose = 1, string? report_dir = null) : Callback
{
    /// <summary>The evaluation after the last epoch.</summary>
    public VocEvaluationResult? last_result { get; private set; }

    /// <inheritdoc/>
    public override void on_epoch_end(int epoch, Dictionary<string, double> logs)
    {
        var images = ModelEvaluation.get_detections(generator, prediction_model, score_threshold, max_detections);
        var labels = Enumerable.Range(0, generator.num_classes()).Where(generator.has_label).ToList();
        var result = VocEvaluation.Evaluate(images, labels, iou_threshold);
        // With report_dir, a detailed report per epoch (epoch_01, epoch_02, ...) so PR curves can be watched improving.
        if (report_dir is not null)
            EvaluationReport.FromDetections(images, labels, generator.label_to_name, iou_threshold, score_threshold)
                .WriteTo(Path.Combine(report_dir, $"epoch_{epoch + 1:00}"), generator.load_image);
        last_result = result;
        var mAP = result.MeanAveragePrecisionOf(weighted_average);
        logs["mAP"] = double.IsNaN(mAP) ? 0 : mAP;
        if (tensorboard is not null)
        {
            tensorboard.Scalar("mAP", logs["mAP"], epoch);
            foreach (var c in result.Classes)
                tensorboard.Scalar($"AP_{generator.label_to_name(c.Label)}", c.AveragePrecision, epoch);
        }
        if (verbose > 0)
        {
            foreach (var c in result.Classes)
                print_fn($"{c.NumAnnotations:0} instances of class {generator.label_to_name(c.Label)} with average precision: {PythonFormat.Fixed(c.AveragePrecision, 4)}");
            print_fn((weighted_average ? "mAP using the weighted average of precisions among classes: " : "mAP: ") + PythonFormat.Fixed(logs["mAP"], 4));
        }
    }
}
