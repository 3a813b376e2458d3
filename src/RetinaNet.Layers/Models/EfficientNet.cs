using RetinaNet.Core;
using RetinaNet.Core.Layers;

namespace RetinaNet.Layers;

/// <summary>
/// The efficientnet package's EfficientNet-B0…B7 (qubvel/efficientnet 1.1.1, <c>efficientnet.keras</c>,
/// <c>include_top=False</c>) with its layer names: stem <c>stem_conv</c> (3×3, stride 2), <c>stem_bn</c>,
/// <c>stem_activation</c>; MBConv blocks <c>block{stage}{letter}_</c> + <c>expand_conv</c>, <c>expand_bn</c>,
/// <c>expand_activation</c> (not when the expansion ratio is 1), <c>dwconv</c>, <c>bn</c>, <c>activation</c>,
/// squeeze-and-excitation <c>se_squeeze</c> (global average), <c>se_reshape</c> (1, 1, C), <c>se_reduce</c> (1×1 with
/// bias, swish), <c>se_expand</c> (1×1 with bias, sigmoid), <c>se_excite</c> (Multiply), then <c>project_conv</c>,
/// <c>project_bn</c> and, on blocks that keep size and width, <c>drop</c> (<see cref="FixedDropout"/>, drop-connect)
/// and <c>add</c>; top <c>top_conv</c> (1×1), <c>top_bn</c>, <c>top_activation</c>. Convolutions are "same", without
/// bias (except the SE pair), initialised VarianceScaling(2, fan_out, normal); BatchNormalization has Keras' defaults
/// (momentum 0.99, epsilon 1e-3); the activation is swish.
/// </summary>
public static class EfficientNet
{
    /// <summary>One stage of MBConv blocks before scaling (the package's <c>DEFAULT_BLOCKS_ARGS</c>).</summary>
    public sealed record BlockArgs(int kernel_size, int num_repeat, int input_filters, int output_filters,
        int expand_ratio, int strides, double se_ratio = 0.25, bool id_skip = true);

    /// <summary>EfficientNet-B0's seven stages.</summary>
    public static readonly IReadOnlyList<BlockArgs> DefaultBlocksArgs = new BlockArgs[]
    {
        new(3, 1, 32, 16, 1, 1),
        new(3, 2, 16, 24, 6, 2),
        new(5, 2, 24, 40, 6, 2),
        new(3, 3, 40, 80, 6, 2),
        new(5, 3, 80, 112, 6, 1),
        new(5, 4, 112, 192, 6, 2),
        new(3, 1, 192, 320, 6, 1),
    };

    /// <summary>Width and depth coefficients of B0…B7 (the package's <c>EfficientNetB{n}</c> functions).</summary>
    public static (double width, double depth) Coefficients(int variant) => variant switch
    {
        0 => (1.0, 1.0),
        1 => (1.0, 1.1),
        2 => (1.1, 1.2),
        3 => (1.2, 1.4),
        4 => (1.4, 1.8),
        5 => (1.6, 2.2),
        6 => (1.8, 2.6),
        7 => (2.0, 3.1),
        _ => throw new ArgumentException($"No EfficientNet-B{variant}; choose B0 to B7."),
    };

    const int DepthDivisor = 8;
    const double DropConnectRate = 0.2;

    /// <summary>
    /// Channels scaled by the width coefficient, rounded to a multiple of 8 (half up), at least 8, and never more than
    /// 10 % below the scaled value (<c>round_filters</c>).
    /// </summary>
    public static int round_filters(int filters, double width_coefficient)
    {
        var scaled = filters * width_coefficient;
        var rounded = Math.Max(DepthDivisor, (int)(scaled + DepthDivisor / 2.0) / DepthDivisor * DepthDivisor);
        if (rounded < 0.9 * scaled) rounded += DepthDivisor;
        return rounded;
    }

    /// <summary>Blocks of a stage scaled by the depth coefficient, rounded up (<c>round_repeats</c>).</summary>
    public static int round_repeats(int repeats, double depth_coefficient) => (int)Math.Ceiling(depth_coefficient * repeats);

    /// <summary>The stages of B{variant} after scaling: filters by <see cref="round_filters"/>, repeats by <see cref="round_repeats"/>.</summary>
    public static IReadOnlyList<BlockArgs> ScaledBlocks(int variant)
    {
        var (width, depth) = Coefficients(variant);
        return DefaultBlocksArgs.Select(b => b with
        {
            input_filters = round_filters(b.input_filters, width),
            output_filters = round_filters(b.output_filters, width),
            num_repeat = round_repeats(b.num_repeat, depth),
        }).ToList();
    }

    /// <summary>Builds the feature extractor up to <c>top_activation</c>, named <c>efficientnet-b{variant}</c>.</summary>
    public static Model Build(KerasTensor inputs, int variant)
    {
        var (width, _) = Coefficients(variant);
        KerasTensors x = new Conv2D(round_filters(32, width), 3, strides: 2, padding: "same", use_bias: false,
            kernel_initializer: ConvInitializer(), name: "stem_conv").Apply(inputs);
        x = Bn("stem_bn").Apply(x);
        x = new Activation(Swish, name: "stem_activation").Apply(x);

        // efficientnet 1.1.1 (the release on PyPI) divides by the unscaled block count, 16; the fix to the scaled count
        // came later (qubvel/efficientnet#130). Only FixedDropout's saved rate depends on it.
        var totalBlocks = DefaultBlocksArgs.Sum(b => b.num_repeat);
        var blockNumber = 0;
        var stages = ScaledBlocks(variant);
        for (int stage = 0; stage < stages.Count; stage++)
        {
            var args = stages[stage];
            for (int i = 0; i < args.num_repeat; i++)
            {
                var block = i == 0 ? args : args with { input_filters = args.output_filters, strides = 1 };
                var dropRate = DropConnectRate * blockNumber / totalBlocks;
                x = MbConvBlock(x.Single(), block, dropRate, $"block{stage + 1}{(char)('a' + i)}_");
                blockNumber++;
            }
        }

        x = new Conv2D(round_filters(1280, width), 1, padding: "same", use_bias: false,
            kernel_initializer: ConvInitializer(), name: "top_conv").Apply(x);
        x = Bn("top_bn").Apply(x);
        x = new Activation(Swish, name: "top_activation").Apply(x);
        return keras.Model(inputs, x, name: $"efficientnet-b{variant}");
    }

    /// <summary>The layers keras-retinanet's effnet.py takes as C3, C4, C5.</summary>
    public static readonly string[] OutputNames = { "block4a_expand_activation", "block6a_expand_activation", "top_activation" };

    const string Swish = "swish";

    /// <summary>Mobile inverted bottleneck: expand, depthwise, squeeze-and-excite, project, and the residual where shapes allow.</summary>
    static KerasTensor MbConvBlock(KerasTensor inputs, BlockArgs b, double dropRate, string prefix)
    {
        var filters = b.input_filters * b.expand_ratio;
        KerasTensors x = inputs;
        if (b.expand_ratio != 1)
        {
            x = new Conv2D(filters, 1, padding: "same", use_bias: false, kernel_initializer: ConvInitializer(),
                name: prefix + "expand_conv").Apply(x);
            x = Bn(prefix + "expand_bn").Apply(x);
            x = new Activation(Swish, name: prefix + "expand_activation").Apply(x);
        }
        x = new DepthwiseConv2D(b.kernel_size, strides: b.strides, padding: "same", use_bias: false,
            depthwise_initializer: ConvInitializer(), name: prefix + "dwconv").Apply(x);
        x = Bn(prefix + "bn").Apply(x);
        x = new Activation(Swish, name: prefix + "activation").Apply(x);

        if (b.se_ratio is > 0 and <= 1)
        {
            var reduced = Math.Max(1, (int)(b.input_filters * b.se_ratio));
            KerasTensors se = new GlobalAveragePooling2D(name: prefix + "se_squeeze").Apply(x);
            se = new Reshape(new long[] { 1, 1, filters }, name: prefix + "se_reshape").Apply(se);
            se = new Conv2D(reduced, 1, activation: Swish, padding: "same", use_bias: true,
                kernel_initializer: ConvInitializer(), name: prefix + "se_reduce").Apply(se);
            se = new Conv2D(filters, 1, activation: "sigmoid", padding: "same", use_bias: true,
                kernel_initializer: ConvInitializer(), name: prefix + "se_expand").Apply(se);
            x = new Multiply(name: prefix + "se_excite").Apply(new KerasTensors(x.Single(), se.Single()));
        }

        x = new Conv2D(b.output_filters, 1, padding: "same", use_bias: false, kernel_initializer: ConvInitializer(),
            name: prefix + "project_conv").Apply(x);
        x = Bn(prefix + "project_bn").Apply(x);
        if (b.id_skip && b.strides == 1 && b.input_filters == b.output_filters)
        {
            if (dropRate > 0)
                x = new FixedDropout(dropRate, noise_shape: new Shape(null, 1, 1, 1), name: prefix + "drop").Apply(x);
            x = new Add(name: prefix + "add").Apply(new KerasTensors(x.Single(), inputs));
        }
        return x.Single();
    }

    // The package's CONV_KERNEL_INITIALIZER; Keras reads distribution 'normal' as 'truncated_normal'.
    static VarianceScaling ConvInitializer() => new(2.0, "fan_out", "normal");

    static BatchNormalization Bn(string name) => new(axis: 3, name: name);
}
