using RetinaNet.Layers.Utils;

namespace RetinaNet.Train.Diagnostics;

/// <summary>
/// Searches anchor ratios and scales that give the most boxes a positive anchor (best IoU ≥ 0.5), as the
/// anchor-optimization project does for keras-retinanet: the sizes, strides and number of ratios and scales stay
/// (so the heads keep their shape); the values move. Random starts, then a shrinking local search in log space;
/// the mean best IoU breaks ties between settings of equal coverage. Deterministic for a seed.
/// </summary>
public static class AnchorOptimizer
{
    /// <summary>What the search found.</summary>
    /// <param name="Parameters">The suggested anchors (values rounded to 3 decimals, as written to the config).</param>
    /// <param name="CoverageBefore">Share of boxes with a positive anchor before.</param>
    /// <param name="CoverageAfter">The same with the suggestion.</param>
    /// <param name="MeanIoUBefore">Mean best anchor IoU before (how snugly the anchors fit, even where all are covered).</param>
    /// <param name="MeanIoUAfter">The same with the suggestion.</param>
    public sealed record Result(AnchorConfig Parameters, double CoverageBefore, double CoverageAfter, double MeanIoUBefore, double MeanIoUAfter);

    /// <summary>Optimises <paramref name="start"/> for <paramref name="boxes"/>.</summary>
    /// <param name="boxes">The dataset's boxes at the network input size.</param>
    /// <param name="start">The current anchors and pyramid levels (the search starts from them and never returns worse
    /// ones; the levels stay).</param>
    /// <param name="iterations">Settings tried.</param>
    /// <param name="maxBoxes">Boxes used while searching (a fixed random sample when there are more); the
    /// coverage reported is over all boxes.</param>
    /// <param name="seed">Seed of the search.</param>
    public static Result Optimize(IReadOnlyList<DatasetBox> boxes, AnchorConfig start,
        int iterations = 400, int maxBoxes = 4000, int seed = 0)
    {
        var random = new Random(seed);
        var sample = boxes.Count <= maxBoxes ? boxes : boxes.OrderBy(_ => random.Next()).Take(maxBoxes).ToList();
        double Score(double[] logRatios, double[] logScales)
        {
            var ious = new AnchorCoverage(Make(start, logRatios, logScales)).BestIoU(sample);
            return AnchorCoverage.Share(ious) + 0.01 * (ious.Length == 0 ? 0 : ious.Average());
        }

        var bestRatios = start.ratios.Select(r => Math.Log2(r)).ToArray();
        var bestScales = start.scales.Select(s => Math.Log2(s)).ToArray();
        double best = Score(bestRatios, bestScales);
        int randomStarts = iterations / 4;
        for (int it = 0; it < iterations; it++)
        {
            double[] ratios, scales;
            if (it < randomStarts)
            {
                ratios = bestRatios.Select(_ => random.NextDouble() * 8 - 4).ToArray();   // h/w from 1/16 to 16
                scales = bestScales.Select(_ => random.NextDouble() * 2.6 - 1.3).ToArray(); // 0.4 to 2.5
            }
            else
            {
                double step = 0.6 * (1 - (double)(it - randomStarts) / (iterations - randomStarts)) + 0.05;
                ratios = bestRatios.Select(v => Math.Clamp(v + step * Gaussian(random), -5, 5)).ToArray();
                scales = bestScales.Select(v => Math.Clamp(v + step * Gaussian(random), -2, 2)).ToArray();
            }
            double score = Score(ratios, scales);
            if (score > best) (best, bestRatios, bestScales) = (score, ratios, scales);
        }

        var suggested = Round(Make(start, bestRatios, bestScales));
        var iousBefore = new AnchorCoverage(start).BestIoU(boxes);
        var iousAfter = new AnchorCoverage(suggested).BestIoU(boxes);
        double before = AnchorCoverage.Share(iousBefore), after = AnchorCoverage.Share(iousAfter);
        if (after < before) (suggested, after, iousAfter) = (start, before, iousBefore); // rounding can cost a box or two; never suggest worse
        static double Mean(double[] v) => v.Length == 0 ? double.NaN : v.Average();
        return new Result(suggested, before, after, Mean(iousBefore), Mean(iousAfter));
    }

    static AnchorConfig Make(AnchorConfig start, double[] logRatios, double[] logScales) =>
        new(start.sizes, start.strides, logRatios.Order().Select(v => (float)Math.Pow(2, v)), logScales.Order().Select(v => (float)Math.Pow(2, v)),
            start.pyramid_levels);

    static AnchorConfig Round(AnchorConfig p) =>
        new(p.sizes, p.strides, p.ratios.Select(r => (float)Math.Round(r, 3)).Select(r => Math.Max(r, 0.001f)),
            p.scales.Select(s => (float)Math.Round(s, 3)), p.pyramid_levels);

    static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
