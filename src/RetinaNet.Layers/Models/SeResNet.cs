using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Core.Layers;

namespace RetinaNet.Layers;

/// <summary>
/// classification_models' SE-ResNet-18/34 (<c>models/resnet.py</c>, <c>include_top=False</c>) with its names:
/// <c>bn_data</c> (BatchNormalization without scale), <c>conv0</c>, <c>bn0</c>, <c>relu0</c>, <c>pooling0</c>, then
/// pre-activation basic blocks <c>stage{s}_unit{u}_{bn1, relu1, sc, conv1, bn2, relu2, conv2}</c> each followed by a
/// squeeze-and-excitation block (ChannelSE, reduction 16) and an unnamed Add, then <c>bn1</c>, <c>relu1</c>. Unnamed
/// layers get Keras 2.2/2.3's automatic names in creation order, numbered from 1 (<see cref="OneBasedLayerNames"/>:
/// <c>zero_padding2d_1</c>, <c>global_average_pooling2d_N</c>, <c>lambda_N</c>, <c>conv2d_N</c>, <c>activation_N</c>,
/// <c>multiply_N</c>, <c>add_N</c>), as in classification_models' ImageNet files and keras-retinanet's era. Convolutions: he_uniform, no
/// bias, valid padding after explicit ZeroPadding2D; BatchNormalization epsilon 2e-5.
/// </summary>
public static class SeResNet
{
    /// <summary>Basic blocks per stage for 18 and 34.</summary>
    public static int[] Layout(int depth) => depth switch
    {
        18 => new[] { 2, 2, 2, 2 },
        34 => new[] { 3, 4, 6, 3 },
        _ => throw new ArgumentException($"No SE-ResNet with basic blocks and depth {depth}; choose 18 or 34."),
    };

    /// <summary>Builds the network up to <c>relu1</c>, named like Keras' automatic model name.</summary>
    public static Model Build(KerasTensor inputs, int depth)
    {
        const int init = 64;
        var names = new OneBasedLayerNames();
        KerasTensors x = new BatchNormalization(axis: 3, epsilon: 2e-5, scale: false, name: "bn_data").Apply(inputs);
        x = new ZeroPadding2D(padding: 3, name: names.Next("zero_padding2d")).Apply(x);
        x = Conv(init, 7, 2, "conv0").Apply(x);
        x = Bn("bn0").Apply(x);
        x = new Activation("relu", name: "relu0").Apply(x);
        x = new ZeroPadding2D(padding: 1, name: names.Next("zero_padding2d")).Apply(x);
        x = new MaxPooling2D(pool_size: 3, strides: 2, padding: "valid", name: "pooling0").Apply(x);
        var repetitions = Layout(depth);
        for (int stage = 0; stage < repetitions.Length; stage++)
            for (int block = 0; block < repetitions[stage]; block++)
            {
                var filters = init << stage;
                var strides = block == 0 && stage > 0 ? 2 : 1;
                x = BasicBlock(x, filters, stage, block, strides, cut_post: block == 0, names);
            }
        x = Bn("bn1").Apply(x);
        x = new Activation("relu", name: "relu1").Apply(x);
        return keras.Model(inputs, x, name: LayerNames.Unique("model"));
    }

    static KerasTensor BasicBlock(KerasTensor input, int filters, int stage, int block, int strides, bool cut_post, OneBasedLayerNames names)
    {
        var b = $"stage{stage + 1}_unit{block + 1}_";
        KerasTensors x = Bn(b + "bn1").Apply(input);
        x = new Activation("relu", name: b + "relu1").Apply(x);
        KerasTensors shortcut = cut_post ? Conv(filters, 1, strides, b + "sc").Apply(x) : input;
        x = new ZeroPadding2D(padding: 1, name: names.Next("zero_padding2d")).Apply(x);
        x = Conv(filters, 3, strides, b + "conv1").Apply(x);
        x = Bn(b + "bn2").Apply(x);
        x = new Activation("relu", name: b + "relu2").Apply(x);
        x = new ZeroPadding2D(padding: 1, name: names.Next("zero_padding2d")).Apply(x);
        x = Conv(filters, 3, 1, b + "conv2").Apply(x);
        x = ChannelSE(x.Single(), names: names);
        return new Add(name: names.Next("add")).Apply(new KerasTensors(x.Single(), shortcut.Single())).Single();
    }

    /// <summary>
    /// classification_models' ChannelSE (reduction 16): global average → Lambda(expand_dims) → 1×1 conv (C/16, bias,
    /// he_uniform) → relu → 1×1 conv (C) → sigmoid → Multiply with the input. Layers take <paramref name="names"/>'
    /// names when given, else the session's automatic names.
    /// </summary>
    public static KerasTensor ChannelSE(KerasTensor input, int reduction = 16, OneBasedLayerNames? names = null)
    {
        var channels = (int)(input.shape[-1] ?? throw new ArgumentException("ChannelSE needs a known channel count."));
        KerasTensors x = new GlobalAveragePooling2D(name: names?.Next("global_average_pooling2d")).Apply(input);
        x = new Lambda(SeNetFunctions.expand_dims, (JsonObject)JsonNode.Parse("{\"channels_axis\": 3}")!, name: names?.Next("lambda")).Apply(x);
        x = new Conv2D(channels / reduction, 1, kernel_initializer: "he_uniform", name: names?.Next("conv2d")).Apply(x);
        x = new Activation("relu", name: names?.Next("activation")).Apply(x);
        x = new Conv2D(channels, 1, kernel_initializer: "he_uniform", name: names?.Next("conv2d")).Apply(x);
        x = new Activation("sigmoid", name: names?.Next("activation")).Apply(x);
        return new Multiply(name: names?.Next("multiply")).Apply(new KerasTensors(input, x.Single())).Single();
    }

    static Conv2D Conv(int filters, int kernel, int stride, string name) =>
        new(filters, kernel, strides: stride, padding: "valid", use_bias: false, kernel_initializer: "he_uniform", name: name);

    static BatchNormalization Bn(string name) => new(axis: 3, momentum: 0.99, epsilon: 2e-5, name: name);
}
