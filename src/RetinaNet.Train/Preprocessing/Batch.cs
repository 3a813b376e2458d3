using static TorchSharp.torch;

namespace RetinaNet.Train.Preprocessing;

/// <summary>
/// One prepared batch of a <see cref="Generator"/>: the padded network input, the (resized, augmented) annotations and,
/// when the generator has an anchor-target function, the regression and classification targets. Owns its tensors.
/// </summary>
public sealed class Batch : IDisposable
{
    /// <summary>Creates a batch; it takes ownership of the tensors.</summary>
    public Batch(int index, int epoch, IReadOnlyList<int> group, Tensor inputs, IReadOnlyList<Annotations> annotations,
        IReadOnlyList<(int height, int width)> image_shapes, Tensor? regression = null, Tensor? classification = null)
    {
        this.index = index;
        this.epoch = epoch;
        this.group = group;
        this.inputs = inputs;
        this.annotations = annotations;
        this.image_shapes = image_shapes;
        this.regression = regression;
        this.classification = classification;
    }

    /// <summary>Position of the batch in its epoch.</summary>
    public int index { get; }

    /// <summary>Epoch (pass over the dataset) the batch belongs to; it selects the group order and augmentation.</summary>
    public int epoch { get; }

    /// <summary>Dataset image indices in the batch, in batch order.</summary>
    public IReadOnlyList<int> group { get; }

    /// <summary>Network input (B, H, W, 3) float32, each image top-left aligned and zero-padded to the largest one.</summary>
    public Tensor inputs { get; }

    /// <summary>Annotations in the coordinates of <see cref="inputs"/> (after augmentation and resizing).</summary>
    public IReadOnlyList<Annotations> annotations { get; }

    /// <summary>Size of each image inside <see cref="inputs"/> before padding.</summary>
    public IReadOnlyList<(int height, int width)> image_shapes { get; }

    /// <summary>Regression targets, when the generator computes anchor targets.</summary>
    public Tensor? regression { get; }

    /// <summary>Classification targets, when the generator computes anchor targets.</summary>
    public Tensor? classification { get; }

    /// <summary>Whether <see cref="regression"/> and <see cref="classification"/> are present.</summary>
    public bool has_targets => regression is not null && classification is not null;

    /// <summary>Releases the tensors.</summary>
    public void Dispose()
    {
        inputs.Dispose();
        regression?.Dispose();
        classification?.Dispose();
    }
}
