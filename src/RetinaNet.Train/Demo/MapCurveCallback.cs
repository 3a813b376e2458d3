using System.Diagnostics;
using RetinaNet.Core;
using RetinaNet.Train.Evaluation;
using Generator = RetinaNet.Train.Preprocessing.Generator;

namespace RetinaNet.Train.Demo;

/// <summary>Records validation mAP against training time, at most once per interval (at epoch ends).</summary>
public sealed class MapCurveCallback(Generator validation, Model prediction_model, double interval_seconds) : Callback
{
    readonly Stopwatch training = new();
    double lastPoint = double.NegativeInfinity;

    /// <summary>(training seconds, mAP) points; evaluation time is not counted as training time.</summary>
    public List<(double seconds, double mAP)> points { get; } = new();

    /// <inheritdoc/>
    public override void on_train_begin(Dictionary<string, double> logs) => training.Start();

    /// <inheritdoc/>
    public override void on_epoch_end(int epoch, Dictionary<string, double> logs)
    {
        var seconds = training.Elapsed.TotalSeconds;
        if (seconds - lastPoint < interval_seconds && !model.stop_training) return;
        training.Stop();
        var mAP = ModelEvaluation.evaluate(validation, prediction_model).MeanAveragePrecision;
        points.Add((seconds, double.IsNaN(mAP) ? 0 : mAP));
        logs["mAP"] = points[^1].mAP;
        lastPoint = seconds;
        print_fn($"[{seconds,6:0}s] epoch {epoch + 1}: loss {logs.GetValueOrDefault("loss"):0.0000}, validation mAP@0.5 {points[^1].mAP:0.0000}");
        training.Start();
    }
}
