using RetinaNet.Layers.Utils;
using RetinaNet.Core;
using RetinaNet.Core.Layers;

namespace RetinaNet.Layers;

/// <summary>
/// Keras' MobileNet (v1) feature extractor with its layer names (<c>conv1</c>, <c>conv_dw_1</c>, <c>conv_pw_1_relu</c>, …),
/// as keras-retinanet's MobileNet backbone builds it (<c>include_top=False</c>). Strided depthwise blocks pad
/// ((0,1),(0,1)) then use a valid 3×3, as Keras does.
/// </summary>
public static class MobileNet
{
    // (pointwise filters, stride) of depthwise blocks 1..13.
    static readonly (int filters, int stride)[] blocks =
    {
        (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
        (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1),
    };

    /// <summary>Builds the network up to <c>conv_pw_13_relu</c>; the model's single output is that layer.</summary>
    public static Model Build(KerasTensor inputs, double alpha = 1.0, int depth_multiplier = 1)
    {
        KerasTensors x = new ZeroPadding2D(padding: ((0, 1), (0, 1)), name: "conv1_pad").Apply(inputs);
        x = new Conv2D((int)(32 * alpha), 3, strides: 2, padding: "valid", use_bias: false, name: "conv1").Apply(x);
        x = new BatchNormalization(axis: -1, name: "conv1_bn").Apply(x);
        x = new ReLU(max_value: 6.0, name: "conv1_relu").Apply(x);

        for (int i = 0; i < blocks.Length; i++)
        {
            var (filters, stride) = blocks[i];
            var id = i + 1;
            if (stride != 1)
                x = new ZeroPadding2D(padding: ((0, 1), (0, 1)), name: $"conv_pad_{id}").Apply(x);
            x = new DepthwiseConv2D(3, padding: stride == 1 ? "same" : "valid", depth_multiplier: depth_multiplier,
                strides: stride, use_bias: false, name: $"conv_dw_{id}").Apply(x);
            x = new BatchNormalization(axis: -1, name: $"conv_dw_{id}_bn").Apply(x);
            x = new ReLU(max_value: 6.0, name: $"conv_dw_{id}_relu").Apply(x);
            x = new Conv2D((int)(filters * alpha), 1, padding: "same", use_bias: false, strides: 1, name: $"conv_pw_{id}").Apply(x);
            x = new BatchNormalization(axis: -1, name: $"conv_pw_{id}_bn").Apply(x);
            x = new ReLU(max_value: 6.0, name: $"conv_pw_{id}_relu").Apply(x);
        }
        return keras.Model(inputs, x, name: $"mobilenet_{alpha:0.00}_{inputs.shape[1]?.ToString() ?? "224"}");
    }
}
