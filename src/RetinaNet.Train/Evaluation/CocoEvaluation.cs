namespace RetinaNet.Train.Evaluation;

/// <summary>
/// The COCO box evaluation of pycocotools (<c>COCOeval(gt, dt, 'bbox')</c>: <c>evaluate()</c>, <c>accumulate()</c>,
/// <c>summarize()</c>) over plain lists, as keras-retinanet's <c>evaluate_coco</c> runs it (reference §5.2).
/// </summary>
public static class CocoEvaluation
{
    /// <summary>
    /// Evaluates <paramref name="detections"/> against <paramref name="groundTruth"/>.
    /// </summary>
    /// <param name="groundTruth">Ground-truth objects, in file order (order breaks IoU ties as in pycocotools).</param>
    /// <param name="detections">Results, in file order (order breaks score ties).</param>
    /// <param name="imageIds">Images to evaluate (keras-retinanet passes the processed ones); default: every image
    /// that has ground truth or detections. Ground truth and detections of other images are left out.</param>
    /// <param name="categoryIds">Categories to evaluate; default: those of the ground truth. Categories without
    /// counted ground truth are -1 and take no part in the averages.</param>
    /// <param name="parameters">Evaluation parameters (default pycocotools' box parameters).</param>
    public static CocoEvaluationResult Evaluate(
        IEnumerable<CocoAnnotation> groundTruth,
        IEnumerable<CocoDetection> detections,
        IEnumerable<long>? imageIds = null,
        IEnumerable<int>? categoryIds = null,
        CocoParameters? parameters = null)
    {
        var given = parameters ?? new CocoParameters();
        if (given.MaxDetections.Count < 3)
            throw new ArgumentException("The COCO summary needs three maxDets values (pycocotools uses [1, 10, 100]).", nameof(parameters));
        var p = new CocoParameters
        {
            IouThresholds = given.IouThresholds,
            RecallThresholds = given.RecallThresholds,
            MaxDetections = given.MaxDetections.Order().ToArray(),
            AreaRanges = given.AreaRanges,
        };

        var gts = groundTruth.ToList();
        var dts = detections.ToList();
        long[] images = (imageIds ?? gts.Select(g => g.ImageId).Concat(dts.Select(d => d.ImageId))).Distinct().Order().ToArray();
        int[] categories = (categoryIds ?? gts.Select(g => g.CategoryId)).Distinct().Order().ToArray();
        var imageIndex = images.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var categoryIndex = categories.Select((id, k) => (id, k)).ToDictionary(x => x.id, x => x.k);

        var gtGroups = Group(gts, g => (g.CategoryId, g.ImageId), categoryIndex, imageIndex);
        var dtGroups = Group(dts, d => (d.CategoryId, d.ImageId), categoryIndex, imageIndex);

        int areaCount = p.AreaRanges.Count;
        var evaluations = new CocoImageEvaluation?[categories.Length, areaCount, images.Length];
        foreach (var key in gtGroups.Keys.Union(dtGroups.Keys))
        {
            var gt = gtGroups.TryGetValue(key, out var g) ? g : [];
            // computeIoU/evaluateImg: best score first (stable), at most the largest maxDets per image and category.
            var dt = (dtGroups.TryGetValue(key, out var d) ? d : [])
                .OrderByDescending(x => x.Score).Take(p.MaxDetections[^1]).ToList();
            var ious = new double[dt.Count, gt.Count];
            for (int di = 0; di < dt.Count; di++)
                for (int gi = 0; gi < gt.Count; gi++)
                    ious[di, gi] = dt[di].Bbox.IoU(gt[gi].Bbox, gt[gi].IsCrowd);
            for (int a = 0; a < areaCount; a++)
                evaluations[key.Category, a, key.Image] =
                    CocoImageEvaluation.Evaluate(gt, dt, ious, p.AreaRanges[a], p.IouThresholds);
        }

        var (precision, recall) = CocoAccumulation.Accumulate(evaluations, p);

        int all = Math.Max(0, p.AreaRanges.ToList().FindIndex(a => a.Label == "all"));
        var instances = new int[categories.Length];
        for (int k = 0; k < categories.Length; k++)
            for (int i = 0; i < images.Length; i++)
                instances[k] += evaluations[k, all, i]?.CountedGroundTruths ?? 0;

        return new CocoEvaluationResult(p, images, categories, precision, recall, instances);
    }

    private static Dictionary<(int Category, int Image), List<T>> Group<T>(
        List<T> items,
        Func<T, (int CategoryId, long ImageId)> keyOf,
        Dictionary<int, int> categoryIndex,
        Dictionary<long, int> imageIndex)
    {
        var groups = new Dictionary<(int, int), List<T>>();
        foreach (var item in items)
        {
            var (categoryId, imageId) = keyOf(item);
            if (!categoryIndex.TryGetValue(categoryId, out int k) || !imageIndex.TryGetValue(imageId, out int i)) continue;
            if (!groups.TryGetValue((k, i), out var list)) groups[(k, i)] = list = [];
            list.Add(item);
        }
        return groups;
    }
}
