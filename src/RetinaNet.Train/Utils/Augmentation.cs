namespace RetinaNet.Train.Utils;

/// <summary>
/// The augmentation keras-retinanet's <c>train.py</c> gives training generators (validation generators get none).
/// </summary>
public static class Augmentation
{
    /// <summary>
    /// With <paramref name="random_transform"/> (<c>--random-transform</c>): rotation and shear in ±0.1 rad,
    /// translation ±10 % of the image, scaling 0.9–1.1, horizontal and vertical flips with p = 0.5, plus the default
    /// visual effects. Without it training still flips horizontally with p = 0.5 and has no visual effects.
    /// </summary>
    public static (Func<Random, double[,]> transform_generator, Func<Random, VisualEffect>? visual_effect_generator) training(bool random_transform)
    {
        if (!random_transform)
            return (Transform.random_transform_generator(flip_x_chance: 0.5), null);
        var transforms = Transform.random_transform_generator(
            min_rotation: -0.1, max_rotation: 0.1,
            min_translation: (-0.1, -0.1), max_translation: (0.1, 0.1),
            min_shear: -0.1, max_shear: 0.1,
            min_scaling: (0.9, 0.9), max_scaling: (1.1, 1.1),
            flip_x_chance: 0.5, flip_y_chance: 0.5);
        var effects = VisualEffect.random_visual_effect_generator(
            contrast_range: (0.9, 1.1), brightness_range: (-0.1, 0.1), hue_range: (-0.05, 0.05), saturation_range: (0.95, 1.05));
        return (transforms, effects);
    }
}
