namespace RetinaNet.Train.Evaluation;

/// <summary>
/// The greedy per-class matching of keras-retinanet's <c>evaluate</c> (see <see cref="VocEvaluation"/>), kept per
/// detection so that curves, thresholds and error breakdowns can be drawn from it: in descending score order each
/// detection takes its best-overlapping annotation (the first on ties) if IoU ≥ the threshold and that annotation
/// is still free; otherwise it is a false positive.
/// </summary>
public static class DetectionMatching
{
    /// <summary>The matches of one class over all images, best score first, and its number of annotations.</summary>
    public static (List<ScoredMatch> Matches, int NumAnnotations) MatchClass(IReadOnlyList<EvaluationImage> images, int label,
        double iouThreshold = VocEvaluation.DefaultIouThreshold)
    {
        var matches = new List<ScoredMatch>();
        int numAnnotations = 0;
        for (int i = 0; i < images.Count; i++)
        {
            var annotations = images[i].AnnotationsOf(label);
            numAnnotations += annotations.Count;
            var taken = new HashSet<int>();
            foreach (var detection in images[i].DetectionsOf(label).OrderByDescending(d => d.Score))
            {
                var (best, overlap) = BestOverlap(detection.Box, annotations);
                matches.Add(new ScoredMatch(detection.Score, best >= 0 && overlap >= iouThreshold && taken.Add(best), i));
            }
        }
        return (matches.OrderByDescending(m => m.Score).ToList(), numAnnotations);
    }

    /// <summary>Index of the first box with the highest IoU with <paramref name="box"/> (-1 if there are none) and that IoU.</summary>
    public static (int Index, double IoU) BestOverlap(CornerBox box, IReadOnlyList<CornerBox> boxes)
    {
        int best = -1;
        double bestOverlap = 0;
        for (int g = 0; g < boxes.Count; g++)
        {
            double overlap = box.IoU(boxes[g]);
            if (best < 0 || overlap > bestOverlap) (best, bestOverlap) = (g, overlap);
        }
        return (best, bestOverlap);
    }
}
