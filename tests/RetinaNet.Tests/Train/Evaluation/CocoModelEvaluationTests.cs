using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Train.Callbacks;
using RetinaNet.Train.Evaluation;
using RetinaNet.Train.Preprocessing;
using RetinaNet.Train.Training;
using RetinaNet.Train.Utils;
using RetinaNet.Tests.Train.Preprocessing;

namespace RetinaNet.Tests.Train.Evaluation;

/// <summary>
/// <c>evaluate coco</c> and <c>train coco</c>'s validation end to end (COCO folder on disk → model → 12 figures), on
/// cases where each pycocotools rule changes the figures: every detection above the threshold reaches the evaluation
/// and the 100 best are kept per image <em>and category</em>; crowd regions are ignore regions; the size range
/// comes from the annotation's <c>area</c>. Figures worked out by hand as in <see cref="CocoEvaluationTests"/>
/// (p1 = 1/(1 + 2^-52) is a lone true positive's precision).
/// </summary>
public class CocoModelEvaluationTests
{
    static readonly double P1 = 1 / (1 + Math.Pow(2, -52));

    /// <summary>A COCO folder with one image (id 5, 400×400 in the JSON) and categories 1 ("cat") and 3 ("dog").</summary>
    static CocoGenerator Dataset(TestData data, params JsonObject[] annotations)
    {
        var json = new JsonObject
        {
            ["images"] = new JsonArray(new JsonObject { ["id"] = 5, ["file_name"] = "a.png", ["width"] = 400, ["height"] = 400 }),
            ["categories"] = new JsonArray(new JsonObject { ["id"] = 1, ["name"] = "cat" }, new JsonObject { ["id"] = 3, ["name"] = "dog" }),
            ["annotations"] = new JsonArray(annotations.Select((a, i) => { a["id"] = i + 1; a["image_id"] = 5; return (JsonNode)a; }).ToArray()),
        };
        data.WriteText("coco/annotations/instances_val.json", json.ToJsonString());
        data.WriteImage("coco/images/val/a.png", 32, 32, (_, _) => (10, 20, 30)); // the model ignores the pixels
        return new CocoGenerator(data.PathOf("coco"), "val", new GeneratorOptions { image_sizing = new ImageSizing(no_resize: true), shuffle_groups = false });
    }

    static JsonObject Annotation(int category, double x, double y, double w, double h, int crowd = 0, double? area = null) => new()
    {
        ["category_id"] = category, ["bbox"] = new JsonArray(x, y, w, h), ["iscrowd"] = crowd, ["area"] = area ?? w * h,
    };

    [Test]
    public void CrowdRegion_IsAnIgnoreRegion_NotAFalsePositiveSource()
    {
        // Object X [0, 0, 50, 50] (area 2500, medium) and a crowd region [200, 200, 100, 100], both "cat" (label 0).
        // d1 (0.95) lies inside the crowd: crowd IoU = 400/400 = 1 → matched to an ignored region → ignored.
        // d2 (0.9) is X exactly → TP. AP = p1 everywhere X counts; small/large have no counted object → -1.
        // AR1 keeps only d1 (ignored) → 0. Were the crowd dropped, d1 would be a false positive ranked first and AP 0.5.
        using var data = new TestData();
        var generator = Dataset(data, Annotation(1, 0, 0, 50, 50), Annotation(1, 200, 200, 100, 100, crowd: 1));
        var model = FixedDetections.Model([(210, 210, 230, 230, 0.95f, 0), (0, 0, 50, 50, 0.9f, 0)]);

        var result = CocoModelEvaluation.evaluate(generator, model)!;

        Assert.That(result.Stats, Is.EqualTo(new[] { P1, P1, P1, -1, P1, -1, 0, 1, 1, -1, 1, -1 }).Within(1e-12));
    }

    [Test]
    public void SizeRange_ComesFromTheAreaField_NotWidthTimesHeight()
    {
        // A 40×40 box (1600 px², medium by w·h) whose annotation says area 900 (small), found exactly.
        using var data = new TestData();
        var generator = Dataset(data, Annotation(1, 0, 0, 40, 40, area: 900));
        var model = FixedDetections.Model([(0, 0, 40, 40, 0.9f, 0)]);

        var result = CocoModelEvaluation.evaluate(generator, model)!;

        Assert.That(result.Stats, Is.EqualTo(new[] { P1, P1, P1, P1, -1, -1, 1, 1, 1, 1, -1, -1 }).Within(1e-12));
    }

    [Test]
    public void EveryDetectionReachesTheEvaluation_AndThe100BestAreKeptPerCategory()
    {
        // cat: object [0, 0, 50, 50]; dog: object [100, 100, 50, 50] (both medium).
        // The model returns 100 cat false positives (10×10, far away, scores 0.99 … 0.5), then the cat object at 0.45
        // (cat's 101st: cut by maxDets=100 at matching) and the dog object at 0.4.
        // cat: no TP → AP 0 (in medium its small false positives are ignored, still no TP → 0); dog: AP p1.
        // AP = (0 + p1)/2; AR1 = AR10 = AR100 = (0 + 1)/2. Capping the image at 100 detections before matching
        // (the old behaviour) would have left dog without a detection: AP 0.
        using var data = new TestData();
        var generator = Dataset(data, Annotation(1, 0, 0, 50, 50), Annotation(3, 100, 100, 50, 50));
        var detections = Enumerable.Range(0, 100)
            .Select(i => (x1: 200f + i, y1: 300f, x2: 210f + i, y2: 310f, score: 0.99f - i * 0.0049f, label: 0))
            .Append((0, 0, 50, 50, 0.45f, 0))
            .Append((100, 100, 150, 150, 0.4f, 1))
            .ToList();
        var model = FixedDetections.Model(detections);

        var dt = CocoModelEvaluation.get_detections(generator, model);
        Assert.That(dt, Has.Count.EqualTo(102));
        var result = CocoModelEvaluation.evaluate(generator, model)!;

        Assert.That(result.Stats, Is.EqualTo(new[] { P1 / 2, P1 / 2, P1 / 2, -1, P1 / 2, -1, 0.5, 0.5, 0.5, -1, 0.5, -1 }).Within(1e-12));
    }

    [Test]
    public void ScoreThreshold_KeepsScoresEqualToIt_AsKerasRetinaNetsBreakOnLess()
    {
        using var data = new TestData();
        var generator = Dataset(data, Annotation(1, 0, 0, 50, 50));
        var model = FixedDetections.Model([(0, 0, 50, 50, 0.5f, 0), (0, 0, 40, 40, 0.25f, 0), (0, 0, 30, 30, 0.2f, 0)]);

        Assert.That(CocoModelEvaluation.get_detections(generator, model, threshold: 0.25).Select(d => d.Score),
            Is.EqualTo(new[] { 0.5, 0.25 }));
        Assert.That(CocoModelEvaluation.evaluate(generator, model, threshold: 0.9), Is.Null, "no detections: nothing to evaluate");
    }

    [Test]
    public void TrainCoco_ValidatesWithCocoEval_LoggingTheTwelveFigures()
    {
        using var data = new TestData();
        var generator = Dataset(data, Annotation(1, 0, 0, 40, 40, area: 900));
        var model = FixedDetections.Model([(0, 0, 40, 40, 0.9f, 0)]);
        var callbacks = RetinaNetTrainer.create_callbacks(new RetinaNetModels(model, model, model),
            new TrainingOptions { no_snapshots = true, snapshot_path = data.PathOf("snapshots") }, generator, null, out _);

        var evaluation = callbacks.OfType<CocoEvalCallback>().Single();
        Assert.That(callbacks.OfType<EvaluateCallback>(), Is.Empty);
        var lines = new List<string>();
        evaluation.print_fn = lines.Add;
        var logs = new Dictionary<string, double>();
        evaluation.on_epoch_end(0, logs);

        Assert.That(logs.Keys, Is.EqualTo(new[]
        {
            "AP @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]", "AP @[ IoU=0.50      | area=   all | maxDets=100 ]",
            "AP @[ IoU=0.75      | area=   all | maxDets=100 ]", "AP @[ IoU=0.50:0.95 | area= small | maxDets=100 ]",
            "AP @[ IoU=0.50:0.95 | area=medium | maxDets=100 ]", "AP @[ IoU=0.50:0.95 | area= large | maxDets=100 ]",
            "AR @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ]", "AR @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ]",
            "AR @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]", "AR @[ IoU=0.50:0.95 | area= small | maxDets=100 ]",
            "AR @[ IoU=0.50:0.95 | area=medium | maxDets=100 ]", "AR @[ IoU=0.50:0.95 | area= large | maxDets=100 ]",
        }));
        Assert.That(logs.Values, Is.EqualTo(new[] { P1, P1, P1, P1, -1, -1, 1, 1, 1, 1, -1, -1 }).Within(1e-12));
        Assert.That(lines, Has.Count.EqualTo(12));
        Assert.That(lines[0], Is.EqualTo(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000"));
    }
}
