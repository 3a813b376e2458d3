using RetinaNet.Train.Preprocessing;
using static TorchSharp.torch;
using Generator = RetinaNet.Train.Preprocessing.Generator;

namespace RetinaNet.Tests.Train.Preprocessing;

/// <summary>A generator over images made in memory: image i has value pixel(i, y, x, c) and the given annotations.</summary>
internal sealed class MemoryGenerator : Generator
{
    private readonly (int height, int width)[] sizes;
    private readonly Annotations[] annotations;
    private readonly Func<int, int, int, int, float> pixel;

    public MemoryGenerator((int height, int width)[] sizes, Annotations[]? annotations = null,
        Func<int, int, int, int, float>? pixel = null, GeneratorOptions? options = null) : base(options)
    {
        this.sizes = sizes;
        this.annotations = annotations ?? sizes.Select(_ => Annotations.Empty).ToArray();
        this.pixel = pixel ?? ((i, y, x, c) => (i * 37 + y * 11 + x * 5 + c * 3) % 256);
    }

    public int loads;

    public override int size() => sizes.Length;
    public override int num_classes() => 2;
    public override bool has_label(int label) => label is 0 or 1;
    public override bool has_name(string name) => name is "a" or "b";
    public override int name_to_label(string name) => name == "a" ? 0 : 1;
    public override string label_to_name(int label) => label == 0 ? "a" : "b";
    public override string image_path(int image_index) => $"mem/{image_index}.png";
    public override double image_aspect_ratio(int image_index) => (double)sizes[image_index].width / sizes[image_index].height;
    public override Annotations load_annotations(int image_index) => annotations[image_index];

    public override Tensor load_image(int image_index)
    {
        Interlocked.Increment(ref loads);
        var (h, w) = sizes[image_index];
        var values = new float[h * w * 3];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        for (int c = 0; c < 3; c++)
            values[(y * w + x) * 3 + c] = pixel(image_index, y, x, c);
        return tensor(values).reshape(h, w, 3);
    }

    /// <summary>Expected raw pixel value (before normalisation).</summary>
    public float Pixel(int image, int y, int x, int c) => pixel(image, y, x, c);

    public static Annotations Boxes(params (double x1, double y1, double x2, double y2, int label)[] boxes)
    {
        var b = new double[boxes.Length, 4];
        for (int i = 0; i < boxes.Length; i++) (b[i, 0], b[i, 1], b[i, 2], b[i, 3]) = (boxes[i].x1, boxes[i].y1, boxes[i].x2, boxes[i].y2);
        return new Annotations(b, boxes.Select(x => x.label).ToArray());
    }
}
