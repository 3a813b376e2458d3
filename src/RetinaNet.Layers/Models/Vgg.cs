using RetinaNet.Core;
using RetinaNet.Core.Layers;

namespace RetinaNet.Layers;

/// <summary>
/// Keras' VGG16/VGG19 feature extractor (<c>keras.applications.VGG16(include_top=False)</c>) with its layer names:
/// <c>block{b}_conv{i}</c> (3×3 "same" convolutions with bias and relu) and <c>block{b}_pool</c> (2×2 max pooling,
/// stride 2, "valid", so each pooling floors odd sizes). 14,714,688 parameters for VGG16, 20,024,384 for VGG19.
/// </summary>
public static class Vgg
{
    /// <summary>Convolutions per block and their channels.</summary>
    public static (int convs, int filters)[] Layout(int depth) => depth switch
    {
        16 => new[] { (2, 64), (2, 128), (3, 256), (3, 512), (3, 512) },
        19 => new[] { (2, 64), (2, 128), (4, 256), (4, 512), (4, 512) },
        _ => throw new ArgumentException($"No VGG with depth {depth}; choose 16 or 19."),
    };

    /// <summary>Builds the network up to <c>block5_pool</c>; the model's single output is that layer.</summary>
    public static Model Build(KerasTensor inputs, int depth)
    {
        KerasTensors x = inputs;
        var blocks = Layout(depth);
        for (int b = 0; b < blocks.Length; b++)
        {
            var (convs, filters) = blocks[b];
            for (int i = 0; i < convs; i++)
                x = new Conv2D(filters, 3, activation: "relu", padding: "same", name: $"block{b + 1}_conv{i + 1}").Apply(x);
            x = new MaxPooling2D(pool_size: 2, strides: 2, name: $"block{b + 1}_pool").Apply(x);
        }
        return keras.Model(inputs, x, name: $"vgg{depth}");
    }
}
