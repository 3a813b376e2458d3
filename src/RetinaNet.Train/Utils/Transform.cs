namespace RetinaNet.Train.Utils;

/// <summary>
/// Homogeneous 3×3 affine transforms of 2-D points (keras-retinanet's <c>utils/transform.py</c>). A matrix moves a
/// point (x, y) of the original image to <c>T · (x, y, 1)</c> in the transformed image. Matrices are
/// <c>double[3, 3]</c>, row-major like numpy's.
/// </summary>
public static class Transform
{
    /// <summary>
    /// The axis-aligned box that contains a transformed box: the four corners are transformed and the min/max of
    /// their coordinates taken.
    /// </summary>
    public static (double x1, double y1, double x2, double y2) transform_aabb(double[,] transform, (double x1, double y1, double x2, double y2) aabb)
    {
        var (x1, y1, x2, y2) = aabb;
        double minX = double.PositiveInfinity, minY = double.PositiveInfinity;
        double maxX = double.NegativeInfinity, maxY = double.NegativeInfinity;
        foreach (var (x, y) in new[] { (x1, y1), (x2, y2), (x1, y2), (x2, y1) })
        {
            var (tx, ty) = apply(transform, x, y);
            minX = Math.Min(minX, tx); maxX = Math.Max(maxX, tx);
            minY = Math.Min(minY, ty); maxY = Math.Max(maxY, ty);
        }
        return (minX, minY, maxX, maxY);
    }

    /// <summary>The image of the point (x, y) under <paramref name="transform"/>.</summary>
    public static (double x, double y) apply(double[,] transform, double x, double y) =>
        (transform[0, 0] * x + transform[0, 1] * y + transform[0, 2],
         transform[1, 0] * x + transform[1, 1] * y + transform[1, 2]);

    /// <summary>Rotation by <paramref name="angle"/> radians: [[cos, -sin, 0], [sin, cos, 0], [0, 0, 1]].</summary>
    public static double[,] rotation(double angle) => new[,]
    {
        { Math.Cos(angle), -Math.Sin(angle), 0 },
        { Math.Sin(angle), Math.Cos(angle), 0 },
        { 0, 0, 1.0 },
    };

    /// <summary>A rotation by an angle drawn uniformly from [min, max) radians.</summary>
    public static double[,] random_rotation(double min, double max, Random prng) => rotation(uniform(prng, min, max));

    /// <summary>Translation by (tx, ty).</summary>
    public static double[,] translation((double x, double y) translation) => new[,]
    {
        { 1, 0, translation.x },
        { 0, 1, translation.y },
        { 0, 0, 1.0 },
    };

    /// <summary>A translation with each component drawn uniformly between the components of min and max.</summary>
    public static double[,] random_translation((double x, double y) min, (double x, double y) max, Random prng) =>
        translation(random_vector(min, max, prng));

    /// <summary>Shear by <paramref name="angle"/> radians: [[1, -sin, 0], [0, cos, 0], [0, 0, 1]].</summary>
    public static double[,] shear(double angle) => new[,]
    {
        { 1, -Math.Sin(angle), 0 },
        { 0, Math.Cos(angle), 0 },
        { 0, 0, 1.0 },
    };

    /// <summary>A shear by an angle drawn uniformly from [min, max) radians.</summary>
    public static double[,] random_shear(double min, double max, Random prng) => shear(uniform(prng, min, max));

    /// <summary>Scaling by (fx, fy).</summary>
    public static double[,] scaling((double x, double y) factor) => new[,]
    {
        { factor.x, 0, 0 },
        { 0, factor.y, 0 },
        { 0, 0, 1.0 },
    };

    /// <summary>A scaling with each factor drawn uniformly between the components of min and max.</summary>
    public static double[,] random_scaling((double x, double y) min, (double x, double y) max, Random prng) =>
        scaling(random_vector(min, max, prng));

    /// <summary>
    /// A flip about the origin: x is mirrored with probability <paramref name="flip_x_chance"/>, y with
    /// <paramref name="flip_y_chance"/> (two draws, x first).
    /// </summary>
    public static double[,] random_flip(double flip_x_chance, double flip_y_chance, Random prng)
    {
        bool flipX = prng.NextDouble() < flip_x_chance;
        bool flipY = prng.NextDouble() < flip_y_chance;
        return scaling((flipX ? -1 : 1, flipY ? -1 : 1));
    }

    /// <summary>The same transform about <paramref name="center"/> instead of the origin: translate(c)·T·translate(-c).</summary>
    public static double[,] change_transform_origin(double[,] transform, (double x, double y) center) =>
        multiply(translation(center), transform, translation((-center.x, -center.y)));

    /// <summary>
    /// A random transform rotation·translation·shear·scaling·flip with every parameter drawn uniformly from its range
    /// (the defaults give the identity). Angles are in radians; translations are fractions of the image size when
    /// applied with <see cref="TransformParameters.relative_translation"/>.
    /// </summary>
    public static double[,] random_transform(
        Random prng,
        double min_rotation = 0, double max_rotation = 0,
        (double x, double y)? min_translation = null, (double x, double y)? max_translation = null,
        double min_shear = 0, double max_shear = 0,
        (double x, double y)? min_scaling = null, (double x, double y)? max_scaling = null,
        double flip_x_chance = 0, double flip_y_chance = 0)
    {
        return multiply(
            random_rotation(min_rotation, max_rotation, prng),
            random_translation(min_translation ?? (0, 0), max_translation ?? (0, 0), prng),
            random_shear(min_shear, max_shear, prng),
            random_scaling(min_scaling ?? (1, 1), max_scaling ?? (1, 1), prng),
            random_flip(flip_x_chance, flip_y_chance, prng));
    }

    /// <summary>
    /// keras-retinanet's <c>random_transform_generator</c>: a source of random transforms with fixed ranges. Each call
    /// draws one transform from the given random source, so a caller that seeds the source per batch gets
    /// reproducible augmentation regardless of thread scheduling.
    /// </summary>
    public static Func<Random, double[,]> random_transform_generator(
        double min_rotation = 0, double max_rotation = 0,
        (double x, double y)? min_translation = null, (double x, double y)? max_translation = null,
        double min_shear = 0, double max_shear = 0,
        (double x, double y)? min_scaling = null, (double x, double y)? max_scaling = null,
        double flip_x_chance = 0, double flip_y_chance = 0)
    {
        return prng => random_transform(prng, min_rotation, max_rotation, min_translation, max_translation,
            min_shear, max_shear, min_scaling, max_scaling, flip_x_chance, flip_y_chance);
    }

    /// <summary>The matrix product of the given matrices, left to right (numpy's <c>multi_dot</c>).</summary>
    public static double[,] multiply(params double[][,] matrices)
    {
        var result = scaling((1, 1));
        foreach (var m in matrices)
        {
            var product = new double[3, 3];
            for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            for (int k = 0; k < 3; k++)
                product[i, j] += result[i, k] * m[k, j];
            result = product;
        }
        return result;
    }

    /// <summary>A uniform draw from [min, max) (numpy's <c>uniform</c>).</summary>
    internal static double uniform(Random prng, double min, double max) => min + (max - min) * prng.NextDouble();

    private static (double x, double y) random_vector((double x, double y) min, (double x, double y) max, Random prng) =>
        (uniform(prng, min.x, max.x), uniform(prng, min.y, max.y));
}
