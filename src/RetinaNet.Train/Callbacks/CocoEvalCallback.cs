using RetinaNet.Core;
using RetinaNet.Train.Evaluation;
using RetinaNet.Train.Preprocessing;

namespace RetinaNet.Train.Callbacks;

/// <summary>
/// keras-retinanet's <c>CocoEval</c> callback (<c>train coco</c>): after each epoch the 12 pycocotools figures of the
/// inference model on the validation set, logged under its tags (<c>AP @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]</c>,
/// ...) and written to TensorBoard as <c>1. AP @[ ... ]</c> … <c>12. AR @[ ... ]</c>. Nothing is logged for an epoch
/// without detections above the threshold.
/// </summary>
public sealed class CocoEvalCallback(CocoGenerator generator, Model prediction_model, double threshold = 0.05,
    TensorBoardEventWriter? tensorboard = null, int verbose = 1) : Callback
{
    /// <summary>The evaluation after the last epoch (null if it had no detections).</summary>
    public CocoEvaluationResult? last_result { get; private set; }

    /// <inheritdoc/>
    public override void on_epoch_end(int epoch, Dictionary<string, double> logs)
    {
        var result = CocoModelEvaluation.evaluate(generator, prediction_model, threshold);
        last_result = result;
        if (result is null) return;
        for (int i = 0; i < result.Stats.Count; i++)
        {
            logs[result.StatTags[i]] = result.Stats[i];
            tensorboard?.Scalar($"{i + 1}. {result.StatTags[i]}", result.Stats[i], epoch);
        }
        if (verbose > 0)
            foreach (var line in result.SummaryLines) print_fn(line);
    }

    /// <summary>Whether a log key is one of the figures this callback writes to TensorBoard itself.</summary>
    public static bool IsCocoTag(string key) => key.StartsWith("AP @[", StringComparison.Ordinal) || key.StartsWith("AR @[", StringComparison.Ordinal);
}
