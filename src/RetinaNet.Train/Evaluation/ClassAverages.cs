namespace RetinaNet.Train.Evaluation;

/// <summary>The two class averages keras-retinanet reports (<c>bin/evaluate.py</c>, <c>callbacks/eval.py</c>).</summary>
internal static class ClassAverages
{
    /// <summary><c>sum(AP) / count(classes with &gt; 0 instances)</c>; NaN when no class has instances.</summary>
    public static double Unweighted(IEnumerable<(double AveragePrecision, int Instances)> classes)
    {
        var present = classes.Where(c => c.Instances > 0).ToList();
        return present.Count == 0 ? double.NaN : present.Sum(c => c.AveragePrecision) / present.Count;
    }

    /// <summary><c>sum(AP * instances) / sum(instances)</c>; NaN when there are no instances.</summary>
    public static double Weighted(IEnumerable<(double AveragePrecision, int Instances)> classes)
    {
        var list = classes.ToList();
        long total = list.Sum(c => (long)c.Instances);
        return total == 0 ? double.NaN : list.Sum(c => c.AveragePrecision * c.Instances) / total;
    }
}
