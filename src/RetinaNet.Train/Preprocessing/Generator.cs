using RetinaNet.Core;
using System.Globalization;
using RetinaNet.Train.Utils;
using static TorchSharp.torch;

namespace RetinaNet.Train.Preprocessing;

/// <summary>
/// A dataset that prepares batches for RetinaNet (keras-retinanet's <c>Generator</c>). Subclasses describe the data
/// (<see cref="size"/>, class names, <see cref="image_path"/>, <see cref="load_annotations"/>); this class groups
/// images into batches and runs the pipeline of <see cref="compute_input_output"/>: load → drop invalid boxes →
/// visual effect → random transform → resize → normalise → zero-pad into one (B, H, W, 3) tensor → targets.
/// </summary>
/// <remarks>
/// Images are (H, W, 3) float32 BGR tensors holding 8-bit values until normalisation. keras-retinanet keeps them
/// uint8 through warping and resizing, so OpenCV rounds each of those results; this class rounds them too.
/// Batch preparation is thread-safe and deterministic: everything random is drawn from a source seeded by
/// (seed, epoch, batch index), so <see cref="PrefetchingLoader"/> may prepare batches on several threads.
/// </remarks>
public abstract class Generator
{
    private static readonly string[] GroupMethods = { "none", "random", "ratio" };

    private readonly Lazy<IReadOnlyList<int[]>> baseGroups;
    private readonly Func<Tensor, Tensor> preprocess;

    /// <summary>Stores the options; groups are formed on first use, once the subclass has loaded its data.</summary>
    protected Generator(GeneratorOptions? options)
    {
        options ??= new GeneratorOptions();
        if (options.batch_size < 1) throw new ArgumentException($"batch_size must be at least 1, got {options.batch_size}.");
        if (!GroupMethods.Contains(options.group_method))
            throw new ArgumentException($"group_method must be one of {string.Join(", ", GroupMethods)}; got '{options.group_method}'.");
        transform_generator = options.transform_generator;
        visual_effect_generator = options.visual_effect_generator;
        batch_size = options.batch_size;
        group_method = options.group_method;
        shuffle_groups = options.shuffle_groups;
        image_sizing = options.image_sizing;
        transform_parameters = options.transform_parameters ?? new TransformParameters();
        preprocess = options.preprocess_image ?? (x => ImagePreprocessing.preprocess_image(x, "caffe"));
        compute_anchor_targets = options.compute_anchor_targets;
        seed = options.seed ?? Random.Shared.Next();
        warning_sink = options.warning_sink ?? (message => Console.Error.WriteLine("Warning: " + message));
        baseGroups = new Lazy<IReadOnlyList<int[]>>(group_images);
    }

    /// <summary>Random transform source, if geometric augmentation is on.</summary>
    public Func<Random, double[,]>? transform_generator { get; }

    /// <summary>Visual effect source, if colour augmentation is on.</summary>
    public Func<Random, VisualEffect>? visual_effect_generator { get; }

    /// <summary>Images per batch.</summary>
    public int batch_size { get; }

    /// <summary>'none', 'random' or 'ratio'.</summary>
    public string group_method { get; }

    /// <summary>Whether groups are shuffled every epoch.</summary>
    public bool shuffle_groups { get; }

    /// <summary>How images are resized.</summary>
    public ImageSizing image_sizing { get; }

    /// <summary>Border and interpolation of random transforms.</summary>
    public TransformParameters transform_parameters { get; }

    /// <summary>The seed behind every random choice.</summary>
    public int seed { get; }

    /// <summary>Target computation (set it once the model's anchors are known); none = batches without targets.</summary>
    public ComputeAnchorTargets? compute_anchor_targets { get; set; }

    /// <summary>Receives warnings (invalid boxes).</summary>
    public Action<string> warning_sink { get; set; }

    /// <summary>Epoch used by the indexer; advanced by <see cref="on_epoch_end"/>.</summary>
    public int epoch { get; private set; }

    // ---- dataset description (subclasses) ----

    /// <summary>Number of images.</summary>
    public abstract int size();

    /// <summary>Number of classes (the network's classification width).</summary>
    public abstract int num_classes();

    /// <summary>Whether <paramref name="label"/> is a known label.</summary>
    public abstract bool has_label(int label);

    /// <summary>Whether <paramref name="name"/> is a known class name.</summary>
    public abstract bool has_name(string name);

    /// <summary>Label of a class name.</summary>
    public abstract int name_to_label(string name);

    /// <summary>Class name of a label.</summary>
    public abstract string label_to_name(int label);

    /// <summary>Path of image <paramref name="image_index"/>.</summary>
    public abstract string image_path(int image_index);

    /// <summary>Ground truth of image <paramref name="image_index"/>, in pixels of the stored image.</summary>
    public abstract Annotations load_annotations(int image_index);

    /// <summary>Width / height of an image (read from the file header unless a subclass knows it).</summary>
    public virtual double image_aspect_ratio(int image_index)
    {
        var (width, height) = ImageIO.read_image_size(image_path(image_index));
        return (double)width / height;
    }

    /// <summary>Image <paramref name="image_index"/> as an (H, W, 3) BGR float32 tensor with values 0..255.</summary>
    public virtual Tensor load_image(int image_index) => ImageIO.read_image_bgr(image_path(image_index));

    /// <summary>
    /// The image as the augmentation pipeline takes it: 8-bit BGR when a random transform will sample it at the
    /// network's input size (so a large photo is never converted to float32 at its own size), else
    /// <see cref="load_image"/>'s float32. A generator that overrides <see cref="load_image"/> always gets its override.
    /// </summary>
    public Tensor load_image_for_augmentation(int image_index) =>
        transform_generator is not null && !overridesLoadImage
            ? ImageIO.read_image_bgr_uint8(image_path(image_index))
            : load_image(image_index);

    bool overridesLoadImage => GetType().GetMethod(nameof(load_image), new[] { typeof(int) })!.DeclaringType != typeof(Generator);

    // ---- grouping ----

    /// <summary>Number of batches per epoch: ceil(size / batch_size).</summary>
    public int Count => baseGroups.Value.Count;

    /// <summary>
    /// The batches of an epoch before shuffling: image indices in dataset order ('none'), shuffled once ('random') or
    /// sorted by aspect ratio ('ratio', stable), cut into groups of <see cref="batch_size"/>; the last group wraps
    /// around to the first images so every group is full.
    /// </summary>
    protected virtual IReadOnlyList<int[]> group_images()
    {
        int n = size();
        var order = Enumerable.Range(0, n).ToArray();
        if (group_method == "random") new Random(MixSeed(seed, -1, -1)).Shuffle(order);
        else if (group_method == "ratio") order = order.OrderBy(image_aspect_ratio).ToArray();

        var groups = new List<int[]>();
        for (int start = 0; start < n; start += batch_size)
            groups.Add(Enumerable.Range(start, batch_size).Select(x => order[x % n]).ToArray());
        return groups;
    }

    /// <summary>The groups of an epoch in batch order (shuffled per epoch when <see cref="shuffle_groups"/>).</summary>
    public IReadOnlyList<int[]> groups_for_epoch(int epoch)
    {
        var groups = baseGroups.Value;
        if (!shuffle_groups) return groups;
        var shuffled = groups.ToArray();
        new Random(MixSeed(seed, epoch, -2)).Shuffle(shuffled);
        return shuffled;
    }

    /// <summary>Moves the indexer to the next epoch (new group order and augmentation).</summary>
    public void on_epoch_end() => epoch++;

    /// <summary>Batch <paramref name="index"/> of the current <see cref="epoch"/>; the caller disposes it.</summary>
    public Batch this[int index] => get_batch(index, epoch);

    /// <summary>Batch <paramref name="index"/> of <paramref name="epoch"/>; thread-safe and deterministic. The caller disposes it.</summary>
    public Batch get_batch(int index, int epoch)
    {
        var groups = groups_for_epoch(epoch);
        if (index < 0 || index >= groups.Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"batch index {index} is outside 0..{groups.Count - 1}.");
        return Prepare(groups[index], new Random(MixSeed(seed, epoch, index)), index, epoch);
    }

    // ---- pipeline ----

    /// <summary>
    /// Drops boxes with x2 ≤ x1, y2 ≤ y1, x1 &lt; 0, y1 &lt; 0, x2 &gt; width or y2 &gt; height of <paramref name="image"/>,
    /// reporting them through <see cref="warning_sink"/> with keras-retinanet's message.
    /// </summary>
    public virtual Annotations filter_annotations(Tensor image, Annotations annotations, int image_index)
    {
        double height = image.shape[0], width = image.shape[1];
        var invalid = new List<int>();
        for (int i = 0; i < annotations.Count; i++)
        {
            var (x1, y1, x2, y2) = annotations.box(i);
            if (x2 <= x1 || y2 <= y1 || x1 < 0 || y1 < 0 || x2 > width || y2 > height) invalid.Add(i);
        }
        if (invalid.Count == 0) return annotations;

        var shape = "(" + string.Join(", ", image.shape) + ")";
        var boxes = "[" + string.Join(" ", invalid.Select(i =>
        {
            var (x1, y1, x2, y2) = annotations.box(i);
            return "[" + string.Join(" ", new[] { x1, y1, x2, y2 }.Select(FormatCoordinate)) + "]";
        })) + "]";
        warning_sink($"Image {image_path(image_index)} with id {image_index} (shape {shape}) contains the following invalid boxes: {boxes}.");
        return annotations.select(Enumerable.Range(0, annotations.Count).Except(invalid).ToArray());
    }

    /// <summary>Applies a visual effect drawn from <paramref name="prng"/> (if colour augmentation is on).</summary>
    public virtual Tensor random_visual_effect_group_entry(Tensor image, Random prng)
    {
        if (visual_effect_generator is null) return image;
        return visual_effect_generator(prng).Apply(image);
    }

    /// <summary>
    /// Warps the image and its boxes by <paramref name="transform"/>, or by one drawn from
    /// <paramref name="prng"/> and adjusted to the image (relative translation, origin at the centre). Without either,
    /// returns the inputs unchanged. The warped image is rounded to 8-bit values as OpenCV does for uint8 images.
    /// </summary>
    public virtual (Tensor image, Annotations annotations) random_transform_group_entry(Tensor image, Annotations annotations, Random prng, double[,]? transform = null)
    {
        if (transform is null && transform_generator is null) return (image, annotations);
        transform ??= ImageTransform.adjust_transform_for_image(transform_generator!(prng), image, transform_parameters.relative_translation);
        var warped = ImageTransform.apply_transform(transform, image, transform_parameters);
        warped.round_().clamp_(HeldScalar.OfInteger(0), HeldScalar.OfInteger(255));
        return (warped, annotations.transformed(transform));
    }

    /// <summary>
    /// Augments and resizes one image for the network (before normalisation): <paramref name="effect"/> and
    /// <paramref name="transform"/> (already adjusted to the image) as keras-retinanet applies them, then the resize.
    /// With a transform, the warp and the resize are one sampling at the output size
    /// (<see cref="ImageTransform.compose_with_resize"/>) and the visual effect follows on the resized image, so memory
    /// follows the network input size, not the file's (a 10000×10000 photo warped at full size needed tens of GB).
    /// Pixel values may differ from warping then resizing by interpolation rounding (under one grey level on average).
    /// </summary>
    /// <returns>The resized 8-bit-valued image, its annotations in resized coordinates, and the resize scale.</returns>
    public virtual (Tensor image, Annotations annotations) augment_and_resize_group_entry(Tensor image, Annotations annotations,
        VisualEffect? effect, double[,]? transform)
    {
        if (transform is null)
        {
            if (image.dtype != ScalarType.Float32) image = image.to_type(ScalarType.Float32);
            var source = effect is null ? image : effect.Apply(image);
            var (resized, scale) = resize_image(source);
            return (resized, annotations.scaled(scale));
        }
        var s = image_sizing.scale_for(image.shape[0], image.shape[1]);
        var size = ((int)Math.Max(1, Math.Round(image.shape[0] * s)), (int)Math.Max(1, Math.Round(image.shape[1] * s)));
        var warped = ImageTransform.apply_transform(ImageTransform.compose_with_resize(transform, s), image, transform_parameters, size);
        warped.round_().clamp_(HeldScalar.OfInteger(0), HeldScalar.OfInteger(255));
        if (effect is not null)
        {
            var plain = warped;
            warped = effect.Apply(plain);
            plain.Dispose();
        }
        return (warped, annotations.transformed(transform).scaled(s));
    }

    /// <summary>The transform for an image, drawn from <paramref name="prng"/> and adjusted to it; null without augmentation.</summary>
    public double[,]? random_transform_for(Tensor image, Random prng) => transform_generator is null
        ? null
        : ImageTransform.adjust_transform_for_image(transform_generator(prng), image, transform_parameters.relative_translation);

    /// <summary>
    /// Resizes as <see cref="image_sizing"/> says (OpenCV bilinear, rounded to 8-bit values) and returns the new image
    /// and the scale; without resizing returns an alias and 1.
    /// </summary>
    public (Tensor image, double scale) resize_image(Tensor image)
    {
        var (resized, scale) = ImagePreprocessing.resize_image(image, image_sizing);
        if (image_sizing.no_resize) return (resized, scale);
        resized.round_().clamp_(HeldScalar.OfInteger(0), HeldScalar.OfInteger(255));
        return (resized, scale);
    }

    /// <summary>The backbone's normalisation ('caffe' by default).</summary>
    public Tensor preprocess_image(Tensor image) => preprocess(image);

    /// <summary>Resize, normalise, and scale the boxes by the resize factor.</summary>
    public virtual (Tensor image, Annotations annotations) preprocess_group_entry(Tensor image, Annotations annotations)
    {
        var (resized, scale) = resize_image(image);
        using (resized)
            return (preprocess_image(resized), annotations.scaled(scale));
    }

    /// <summary>
    /// Stacks images into a (B, H, W, C) float32 tensor of the largest height, width and channels, each image at the
    /// top left and zeros elsewhere (padding comes after normalisation, so it is zero in normalised units).
    /// </summary>
    public Tensor compute_inputs(IReadOnlyList<Tensor> image_group)
    {
        if (image_group.Count == 0) throw new ArgumentException("compute_inputs needs at least one image.");
        long height = image_group.Max(i => i.shape[0]), width = image_group.Max(i => i.shape[1]), channels = image_group.Max(i => i.shape[2]);
        var batch = zeros(new long[] { image_group.Count, height, width, channels }, ScalarType.Float32, image_group[0].device);
        using (NewDisposeScope())
        {
            for (int b = 0; b < image_group.Count; b++)
            {
                var image = image_group[b];
                batch[b].narrow(0, 0, image.shape[0]).narrow(1, 0, image.shape[1]).narrow(2, 0, image.shape[2]).copy_(image);
            }
        }
        return batch;
    }

    /// <summary>
    /// The whole pipeline for one group of image indices; random draws come from <paramref name="prng"/> (visual
    /// effects for every image first, then transforms, as keras-retinanet). The batch reports index and epoch 0.
    /// </summary>
    public Batch compute_input_output(IReadOnlyList<int> group, Random prng) => Prepare(group, prng, 0, 0);

    private Batch Prepare(IReadOnlyList<int> group, Random prng, int index, int epoch)
    {
        using var scope = NewDisposeScope();
        var images = group.Select(load_image_for_augmentation).ToList();
        var annotations = group.Select(load_annotations).ToList();
        for (int k = 0; k < group.Count; k++) annotations[k] = filter_annotations(images[k], annotations[k], group[k]);
        // Draws in keras-retinanet's order (every image's visual effect, then every transform), applied per image after.
        var effects = group.Select(_ => visual_effect_generator?.Invoke(prng)).ToList();
        var transforms = images.Select(image => random_transform_for(image, prng)).ToList();
        for (int k = 0; k < group.Count; k++)
        {
            (images[k], annotations[k]) = augment_and_resize_group_entry(images[k], annotations[k], effects[k], transforms[k]);
            images[k] = preprocess_image(images[k]);
        }

        var inputs = compute_inputs(images);
        var shapes = images.Select(i => ((int)i.shape[0], (int)i.shape[1])).ToArray();
        Tensor? regression = null, classification = null;
        if (compute_anchor_targets is not null)
        {
            (regression, classification) = compute_anchor_targets(inputs, annotations, shapes, num_classes());
            regression.MoveToOuterDisposeScope();
            classification.MoveToOuterDisposeScope();
        }
        return new Batch(index, epoch, group.ToArray(), inputs.MoveToOuterDisposeScope(), annotations, shapes, regression, classification);
    }

    private static string FormatCoordinate(double v) =>
        v == Math.Floor(v) && Math.Abs(v) < 1e16 ? v.ToString("0", CultureInfo.InvariantCulture) + "." : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A 32-bit seed from (seed, a, b) with SplitMix64 mixing, so neighbouring batches get unrelated streams.</summary>
    private static int MixSeed(int seed, long a, long b)
    {
        ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)a * 0xBF58476D1CE4E5B9UL ^ (ulong)b * 0x94D049BB133111EBUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }
}
