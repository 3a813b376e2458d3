using RetinaNet.Train.Evaluation;
using RetinaNet.Train.Utils;
using Generator = RetinaNet.Train.Preprocessing.Generator;

namespace RetinaNet.Train.Diagnostics;

/// <summary>
/// Every annotation of a dataset at the network input size, found as training finds it: image sizes from the file
/// headers, the generator's resize rule (<c>--image-min-side</c>, <c>--image-max-side</c>, <c>--no-resize</c>), and
/// the boxes training drops (outside the image, or x2 ≤ x1 / y2 ≤ y1) set apart.
/// </summary>
public sealed class DatasetScan
{
    /// <summary>Number of images.</summary>
    public int ImageCount { get; init; }

    /// <summary>The boxes training keeps.</summary>
    public IReadOnlyList<DatasetBox> Boxes { get; init; } = [];

    /// <summary>Boxes training drops: outside their image or with no area (in stored-image pixels).</summary>
    public IReadOnlyList<(int Image, int Label, CornerBox Box)> Invalid { get; init; } = [];

    /// <summary>Images without any annotation.</summary>
    public IReadOnlyList<int> ImagesWithoutAnnotations { get; init; } = [];

    /// <summary>Reads a generator's images (sizes only) and annotations.</summary>
    public static DatasetScan Of(Generator generator, Func<int, (int Width, int Height)>? imageSize = null)
    {
        imageSize ??= i => ImageIO.read_image_size(generator.image_path(i));
        var boxes = new List<DatasetBox>();
        var invalid = new List<(int, int, CornerBox)>();
        var empty = new List<int>();
        for (int i = 0; i < generator.size(); i++)
        {
            var annotations = generator.load_annotations(i);
            if (annotations.Count == 0) empty.Add(i);
            var (width, height) = imageSize(i);
            var (scale, inputHeight, inputWidth) = InputSize(generator, height, width);
            for (int k = 0; k < annotations.Count; k++)
            {
                var (x1, y1, x2, y2) = annotations.box(k);
                var box = new CornerBox(x1, y1, x2, y2);
                if (x2 <= x1 || y2 <= y1 || x1 < 0 || y1 < 0 || x2 > width || y2 > height)
                    invalid.Add((i, annotations.labels[k], box));
                else
                    boxes.Add(new DatasetBox(i, annotations.labels[k], box, new CornerBox(x1 * scale, y1 * scale, x2 * scale, y2 * scale),
                        inputHeight, inputWidth));
            }
        }
        return new DatasetScan { ImageCount = generator.size(), Boxes = boxes, Invalid = invalid, ImagesWithoutAnnotations = empty };
    }

    /// <summary>The resize scale and the network input's height and width for a stored image, as
    /// <see cref="Generator.resize_image"/> computes them (OpenCV rounds the size half to even).</summary>
    public static (double Scale, int Height, int Width) InputSize(Generator generator, int height, int width)
    {
        if (generator.image_sizing.no_resize) return (1, height, width);
        var scale = generator.image_sizing.scale_for(height, width);
        return (scale, Math.Max(1, (int)Math.Round(height * scale)), Math.Max(1, (int)Math.Round(width * scale)));
    }
}
