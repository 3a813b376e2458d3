using RetinaNet.Core;
using RetinaNet.Core.Layers;

namespace RetinaNet.Layers.TorchVision;

/// <summary>
/// torchvision's ResNet-50 body (<c>torchvision.models.resnet50</c>) with frozen batch normalisation, layers named
/// after its modules under a prefix (<c>backbone.body.</c>). Unlike keras-resnet's Caffe-style blocks, the stride of
/// a down-sampling bottleneck sits on its 3×3 conv (<c>conv2</c>), not on the first 1×1 ("ResNet v1.5").
/// </summary>
public static class TorchVisionResNet
{
    static readonly int[] Blocks = { 3, 4, 6, 3 };

    /// <summary>Builds the stem and the four stages; returns C3, C4, C5 (outputs of <c>layer2</c>–<c>layer4</c>).</summary>
    public static (KerasTensor c3, KerasTensor c4, KerasTensor c5) Build(KerasTensor inputs, string prefix)
    {
        KerasTensor x = new ZeroPadding2D(padding: 3, name: prefix + "conv1_pad").Apply(inputs);
        x = new Conv2D(64, 7, strides: 2, use_bias: false, kernel_initializer: "he_normal", name: prefix + "conv1").Apply(x);
        x = Bn(prefix + "bn1").Apply(x);
        x = new Activation("relu", name: prefix + "relu").Apply(x);
        x = new ZeroPadding2D(padding: 1, name: prefix + "maxpool_pad").Apply(x);
        x = new MaxPooling2D(pool_size: 3, strides: 2, name: prefix + "maxpool").Apply(x);
        var outputs = new List<KerasTensor>();
        int width = 64;
        for (int stage = 0; stage < Blocks.Length; stage++)
        {
            for (int block = 0; block < Blocks[stage]; block++)
                x = Bottleneck(x, width, block == 0 && stage > 0 ? 2 : 1, block == 0, $"{prefix}layer{stage + 1}.{block}.");
            outputs.Add(x);
            width *= 2;
        }
        return (outputs[1], outputs[2], outputs[3]);
    }

    /// <summary>conv1 1×1 → bn1 → relu → conv2 3×3 (stride) → bn2 → relu → conv3 1×1 (4·width) → bn3, plus the
    /// identity or <c>downsample</c> (1×1 conv with the stride, bn), then relu.</summary>
    static KerasTensor Bottleneck(KerasTensor x, int width, int stride, bool project, string prefix)
    {
        KerasTensor y = Conv(width, 1, 1, prefix + "conv1").Apply(x);
        y = Bn(prefix + "bn1").Apply(y);
        y = new Activation("relu", name: prefix + "relu1").Apply(y);
        y = new ZeroPadding2D(padding: 1, name: prefix + "conv2_pad").Apply(y);
        y = Conv(width, 3, stride, prefix + "conv2").Apply(y);
        y = Bn(prefix + "bn2").Apply(y);
        y = new Activation("relu", name: prefix + "relu2").Apply(y);
        y = Conv(width * 4, 1, 1, prefix + "conv3").Apply(y);
        y = Bn(prefix + "bn3").Apply(y);
        KerasTensor shortcut = x;
        if (project)
        {
            shortcut = Conv(width * 4, 1, stride, prefix + "downsample.0").Apply(x);
            shortcut = Bn(prefix + "downsample.1").Apply(shortcut);
        }
        KerasTensor merged = new Add(name: prefix + "add").Apply(new KerasTensors(y, shortcut));
        return new Activation("relu", name: prefix + "relu3").Apply(merged);
    }

    static Conv2D Conv(int filters, int kernel, int stride, string name) =>
        new(filters, kernel, strides: stride, use_bias: false, kernel_initializer: "he_normal", name: name);

    // torchvision's FrozenBatchNorm2d (and BatchNorm2d in eval): moving statistics only, epsilon 1e-5.
    static ResNetBatchNormalization Bn(string name) => new(freeze: true, axis: 3, epsilon: 1e-5, name: name);
}
