using RetinaNet.Layers.Utils;
using RetinaNet.Core;
using RetinaNet.Core.Layers;

namespace RetinaNet.Layers;

/// <summary>
/// keras-resnet's ResNets with its layer names (<c>conv1</c>, <c>bn_conv1</c>, <c>res2a_branch2a</c>, …) so that
/// weights saved by Python load by name. Bottleneck blocks for 50/101/152, basic blocks for 18/34; Caffe-style
/// stride on the first 1×1 (or 3×3) conv of the first block of stages 3–5; frozen BatchNormalization (epsilon 1e-5).
/// </summary>
public static class ResNet
{
    /// <summary>Blocks per stage and whether blocks after the first are numbered (<c>b1, b2…</c>) instead of lettered.</summary>
    public static (int[] blocks, bool[] numerical_names, bool bottleneck) Layout(int depth) => depth switch
    {
        18 => (new[] { 2, 2, 2, 2 }, new[] { false, false, false, false }, false),
        34 => (new[] { 3, 4, 6, 3 }, new[] { false, false, false, false }, false),
        50 => (new[] { 3, 4, 6, 3 }, new[] { false, false, false, false }, true),
        101 => (new[] { 3, 4, 23, 3 }, new[] { false, true, true, false }, true),
        152 => (new[] { 3, 8, 36, 3 }, new[] { false, true, true, false }, true),
        _ => throw new ArgumentException($"No ResNet with depth {depth}; choose 18, 34, 50, 101 or 152."),
    };

    /// <summary>
    /// Builds a ResNet without its classifier; the model's outputs are the four stage outputs C2–C5.
    /// </summary>
    /// <param name="inputs">Image input (NHWC).</param>
    /// <param name="depth">18, 34, 50, 101 or 152.</param>
    /// <param name="freeze_bn">Freeze BatchNormalization (keras-retinanet builds with true).</param>
    /// <param name="padding_conv1">keras-resnet 0.1.0's stem: ZeroPadding2D(3) named <c>padding_conv1</c> then a valid conv1;
    /// 0.2.0 uses a "same" conv1. Models saved between 2018 and mid-2019 use the former.</param>
    /// <param name="width">Channels of the first stage (64 in keras-resnet); smaller values make light backbones.</param>
    public static Model Build(KerasTensor inputs, int depth, bool freeze_bn = true, bool padding_conv1 = false, int width = 64)
    {
        var (blocks, numericalNames, bottleneck) = Layout(depth);
        KerasTensors x = inputs;
        if (padding_conv1)
        {
            x = new ZeroPadding2D(padding: 3, name: "padding_conv1").Apply(x);
            x = new Conv2D(width, 7, strides: 2, use_bias: false, name: "conv1").Apply(x);
        }
        else x = new Conv2D(width, 7, strides: 2, padding: "same", use_bias: false, name: "conv1").Apply(x);
        x = new ResNetBatchNormalization(freeze: freeze_bn, axis: 3, epsilon: 1e-5, name: "bn_conv1").Apply(x);
        x = new Activation("relu", name: "conv1_relu").Apply(x);
        x = new MaxPooling2D(pool_size: 3, strides: 2, padding: "same", name: "pool1").Apply(x);

        var features = width;
        var outputs = new List<KerasTensor>();
        for (int stage = 0; stage < blocks.Length; stage++)
        {
            for (int block = 0; block < blocks[stage]; block++)
                x = bottleneck
                    ? Bottleneck(x, features, stage, block, block > 0 && numericalNames[stage], freeze_bn)
                    : Basic(x, features, stage, block, block > 0 && numericalNames[stage], freeze_bn);
            features *= 2;
            outputs.Add(x);
        }
        return keras.Model(inputs, new KerasTensors(outputs), name: $"resnet{depth}");
    }

    static (string stage, string block, int stride) Names(int stage, int block, bool numerical) =>
        ((stage + 2).ToString(), block > 0 && numerical ? $"b{block}" : ((char)('a' + block)).ToString(),
         block != 0 || stage == 0 ? 1 : 2);

    /// <summary>keras-resnet's <c>bottleneck_2d</c>: 1×1 (stride) → pad 1 → 3×3 → 1×1 (4·filters), projection shortcut on block 0.</summary>
    static KerasTensor Bottleneck(KerasTensor x, int filters, int stage, int block, bool numerical, bool freeze)
    {
        var (s, b, stride) = Names(stage, block, numerical);
        KerasTensors y = Conv(filters, 1, stride, $"res{s}{b}_branch2a").Apply(x);
        y = Bn(freeze, $"bn{s}{b}_branch2a").Apply(y);
        y = new Activation("relu", name: $"res{s}{b}_branch2a_relu").Apply(y);
        y = new ZeroPadding2D(padding: 1, name: $"padding{s}{b}_branch2b").Apply(y);
        y = Conv(filters, 3, 1, $"res{s}{b}_branch2b").Apply(y);
        y = Bn(freeze, $"bn{s}{b}_branch2b").Apply(y);
        y = new Activation("relu", name: $"res{s}{b}_branch2b_relu").Apply(y);
        y = Conv(filters * 4, 1, 1, $"res{s}{b}_branch2c").Apply(y);
        y = Bn(freeze, $"bn{s}{b}_branch2c").Apply(y);
        return Merge(x, y, filters * 4, stride, s, b, block, freeze);
    }

    /// <summary>keras-resnet's <c>basic_2d</c>: pad 1 → 3×3 (stride) → pad 1 → 3×3, projection shortcut on block 0.</summary>
    static KerasTensor Basic(KerasTensor x, int filters, int stage, int block, bool numerical, bool freeze)
    {
        var (s, b, stride) = Names(stage, block, numerical);
        KerasTensors y = new ZeroPadding2D(padding: 1, name: $"padding{s}{b}_branch2a").Apply(x);
        y = Conv(filters, 3, stride, $"res{s}{b}_branch2a").Apply(y);
        y = Bn(freeze, $"bn{s}{b}_branch2a").Apply(y);
        y = new Activation("relu", name: $"res{s}{b}_branch2a_relu").Apply(y);
        y = new ZeroPadding2D(padding: 1, name: $"padding{s}{b}_branch2b").Apply(y);
        y = Conv(filters, 3, 1, $"res{s}{b}_branch2b").Apply(y);
        y = Bn(freeze, $"bn{s}{b}_branch2b").Apply(y);
        return Merge(x, y, filters, stride, s, b, block, freeze);
    }

    static KerasTensor Merge(KerasTensor x, KerasTensor y, int filters, int stride, string s, string b, int block, bool freeze)
    {
        KerasTensors shortcut = x;
        if (block == 0)
        {
            shortcut = Conv(filters, 1, stride, $"res{s}{b}_branch1").Apply(x);
            shortcut = Bn(freeze, $"bn{s}{b}_branch1").Apply(shortcut);
        }
        KerasTensors merged = new Add(name: $"res{s}{b}").Apply(new KerasTensors(y, shortcut));
        return new Activation("relu", name: $"res{s}{b}_relu").Apply(merged);
    }

    static Conv2D Conv(int filters, int kernel, int stride, string name) =>
        new(filters, kernel, strides: stride, use_bias: false, kernel_initializer: "he_normal", name: name);

    static ResNetBatchNormalization Bn(bool freeze, string name) => new(freeze: freeze, axis: 3, epsilon: 1e-5, name: name);
}
