using RetinaNet.Core;
using RetinaNet.Core.Layers;

namespace RetinaNet.Layers;

/// <summary>
/// Keras' DenseNet121/169/201 (<c>keras.applications.densenet</c>, <c>include_top=False</c>) with its layer names:
/// stem <c>conv1/conv</c>, <c>conv1/bn</c>, <c>conv1/relu</c>, <c>pool1</c>; dense blocks <c>conv{s}_block{i}_{0_bn,
/// 0_relu, 1_conv, 1_bn, 1_relu, 2_conv, concat}</c> (growth rate 32); transitions <c>pool{s}_{bn, relu, conv, pool}</c>
/// halving the channels with a floored 2×2 average pooling; final <c>bn</c> and <c>relu</c>. BatchNormalization uses
/// epsilon 1.001e-5; convolutions have no bias. The two stem paddings are unnamed (<c>zero_padding2d</c>, …).
/// </summary>
public static class DenseNet
{
    const double Epsilon = 1.001e-5;
    const int GrowthRate = 32;

    /// <summary>Dense blocks per stage for 121, 169 and 201.</summary>
    public static int[] Layout(int depth) => depth switch
    {
        121 => new[] { 6, 12, 24, 16 },
        169 => new[] { 6, 12, 32, 32 },
        201 => new[] { 6, 12, 48, 32 },
        _ => throw new ArgumentException($"No DenseNet with depth {depth}; choose 121, 169 or 201."),
    };

    /// <summary>Builds the whole feature extractor (up to <c>relu</c>) named <c>densenet{depth}</c>.</summary>
    public static Model Build(KerasTensor inputs, int depth)
    {
        var blocks = Layout(depth);
        KerasTensors x = new ZeroPadding2D(padding: ((3, 3), (3, 3))).Apply(inputs);
        x = new Conv2D(64, 7, strides: 2, use_bias: false, name: "conv1/conv").Apply(x);
        x = Bn("conv1/bn").Apply(x);
        x = new Activation("relu", name: "conv1/relu").Apply(x);
        x = new ZeroPadding2D(padding: ((1, 1), (1, 1))).Apply(x);
        x = new MaxPooling2D(pool_size: 3, strides: 2, name: "pool1").Apply(x);
        for (int stage = 0; stage < blocks.Length; stage++)
        {
            for (int i = 0; i < blocks[stage]; i++) x = ConvBlock(x, $"conv{stage + 2}_block{i + 1}");
            if (stage < blocks.Length - 1) x = Transition(x, $"pool{stage + 2}");
        }
        x = Bn("bn").Apply(x);
        x = new Activation("relu", name: "relu").Apply(x);
        return keras.Model(inputs, x, name: $"densenet{depth}");
    }

    /// <summary>The outputs keras-retinanet takes as C2–C5: the last concatenation of each dense block.</summary>
    public static string[] OutputNames(int depth) =>
        Layout(depth).Select((n, idx) => $"conv{idx + 2}_block{n}_concat").ToArray();

    static KerasTensor ConvBlock(KerasTensor x, string name)
    {
        KerasTensors y = Bn($"{name}_0_bn").Apply(x);
        y = new Activation("relu", name: $"{name}_0_relu").Apply(y);
        y = new Conv2D(4 * GrowthRate, 1, use_bias: false, name: $"{name}_1_conv").Apply(y);
        y = Bn($"{name}_1_bn").Apply(y);
        y = new Activation("relu", name: $"{name}_1_relu").Apply(y);
        y = new Conv2D(GrowthRate, 3, padding: "same", use_bias: false, name: $"{name}_2_conv").Apply(y);
        return new Concatenate(axis: 3, name: $"{name}_concat").Apply(new KerasTensors(x, y));
    }

    static KerasTensor Transition(KerasTensor x, string name)
    {
        var channels = (int)(x.shape[-1] ?? throw new ArgumentException("DenseNet needs a known channel count."));
        KerasTensors y = Bn($"{name}_bn").Apply(x);
        y = new Activation("relu", name: $"{name}_relu").Apply(y);
        y = new Conv2D(channels / 2, 1, use_bias: false, name: $"{name}_conv").Apply(y);
        return new AveragePooling2D(pool_size: 2, strides: 2, name: $"{name}_pool").Apply(y);
    }

    static BatchNormalization Bn(string name) => new(axis: 3, epsilon: Epsilon, name: name);
}
