using RetinaNet.Core;
using RetinaNet.Train.Evaluation;
using Generator = RetinaNet.Train.Preprocessing.Generator;

namespace RetinaNet.Train.Callbacks;

/// <summary>
/// keras-retinanet's <c>Evaluate</c> callback: after each epoch, VOC mAP of the inference model on the validation
/// generator (counting detections above <paramref name="score_threshold"/>, see <see cref="CountedDetections"/>), written to <c>logs["mAP"]</c> (and to TensorBoard as <c>mAP</c> and <c>AP_&lt;class&gt;</c>).
/// </summary>
public sealed class EvaluateCallback(Generator generator, Model prediction_model, double iou_threshold = 0.5,
    double score_threshold = CountedDetections.DefaultScoreThreshold, int max_detections = CountedDetections.DefaultMaxDetections,
    bool weighted_average = false,
    TensorBoardEventWriter? tensorboard = null, int verbose = 1) : Callback
{
    /// <summary>The evaluation after the last epoch.</summary>
    public VocEvaluationResult? last_result { get; private set; }

    /// <inheritdoc/>
    public override void on_epoch_end(int epoch, Dictionary<string, double> logs)
    {
        var result = ModelEvaluation.evaluate(generator, prediction_model, iou_threshold, score_threshold, max_detections);
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
