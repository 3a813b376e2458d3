using RetinaNet.Train.Utils;
using static TorchSharp.torch;

namespace RetinaNet.Train.Preprocessing;

/// <summary>
/// Computes the training targets of a batch (keras-retinanet's <c>compute_anchor_targets</c>, normally
/// <c>anchor_targets_bbox</c> over the anchors of the padded input shape).
/// </summary>
/// <param name="inputs">The padded batch (B, H, W, 3).</param>
/// <param name="annotations">Annotations of each image, in input coordinates.</param>
/// <param name="image_shapes">Each image's size before padding (anchors whose centre lies outside it are ignored).</param>
/// <param name="num_classes">The generator's number of classes.</param>
/// <returns>Regression and classification target tensors; the batch takes ownership of them.</returns>
public delegate (Tensor regression, Tensor classification) ComputeAnchorTargets(
    Tensor inputs, IReadOnlyList<Annotations> annotations, IReadOnlyList<(int height, int width)> image_shapes, int num_classes);

/// <summary>
/// Settings shared by every <see cref="Generator"/> (keras-retinanet's <c>Generator</c> keyword arguments; the
/// defaults are keras-retinanet's).
/// </summary>
public sealed record GeneratorOptions
{
    /// <summary>Draws a random transform per image (for example <see cref="Transform.random_transform_generator"/>); none = no geometric augmentation.</summary>
    public Func<Random, double[,]>? transform_generator { get; init; }

    /// <summary>Draws a colour augmentation per image (<see cref="VisualEffect.random_visual_effect_generator"/>); none = no colour augmentation.</summary>
    public Func<Random, VisualEffect>? visual_effect_generator { get; init; }

    /// <summary>Images per batch.</summary>
    public int batch_size { get; init; } = 1;

    /// <summary>'none' (dataset order), 'random' (shuffled once) or 'ratio' (sorted by aspect ratio, so batches need little padding).</summary>
    public string group_method { get; init; } = "ratio";

    /// <summary>Shuffle the order of the groups every epoch.</summary>
    public bool shuffle_groups { get; init; } = true;

    /// <summary>How images are resized (keras-retinanet's image_min_side, image_max_side and no_resize).</summary>
    public ImageSizing image_sizing { get; init; } = ImageSizing.Default;

    /// <summary>Border and interpolation of the random transforms (default: a new <see cref="TransformParameters"/>).</summary>
    public TransformParameters? transform_parameters { get; init; }

    /// <summary>Normalisation applied after resizing (default: 'caffe' <see cref="ImagePreprocessing.preprocess_image"/>).</summary>
    public Func<Tensor, Tensor>? preprocess_image { get; init; }

    /// <summary>Target computation; without it batches carry inputs and annotations only.</summary>
    public ComputeAnchorTargets? compute_anchor_targets { get; init; }

    /// <summary>
    /// Seed of every random choice (group order, shuffles, augmentation). Batch contents depend only on the seed, the
    /// epoch and the batch index, so results do not depend on how many workers prepare them. None = a random seed.
    /// </summary>
    public int? seed { get; init; }

    /// <summary>Receives warnings such as invalid boxes (default: standard error).</summary>
    public Action<string>? warning_sink { get; init; }
}
