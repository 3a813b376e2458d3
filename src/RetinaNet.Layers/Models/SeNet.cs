using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Core.Layers;

namespace RetinaNet.Layers;

/// <summary>
/// classification_models' <c>models/senet.py</c> (<c>include_top=False</c>): SE-ResNet-50/101/152, SE-ResNeXt-50/101
/// and SENet-154, every layer created in the order the Python code creates it and named as Keras 2.2/2.3 names
/// unnamed layers (<see cref="OneBasedLayerNames"/>), so the names match keras-retinanet's C-layer table
/// (<c>activation_36</c> …) and Python-trained weights. Convolutions: he_uniform, no bias, valid padding after an
/// explicit ZeroPadding2D; BatchNormalization epsilon 9.999999747378752e-06 (1e-5 in float32).
/// </summary>
/// <remarks>
/// A grouped 3×3 convolution is classification_models' <c>GroupConv2D</c>: per group a <c>Lambda(slice_tensor)</c>
/// taking the group's input channels and a <c>Conv2D</c> on them (created alternately: lambda_k, conv2d_k, …), then a
/// <c>Concatenate</c> — the layers and weights a Python-trained file holds.
/// </remarks>
public static class SeNet
{
    /// <summary>The residual block a model repeats.</summary>
    public enum Block
    {
        /// <summary><c>SEResNetBottleneck</c>: 1×1 (stride here) → 3×3 → 1×1, width filters/4.</summary>
        SEResNetBottleneck,
        /// <summary><c>SEResNeXtBottleneck</c>: 1×1 → grouped 3×3 (stride here) → 1×1, width filters/2 (32×4d).</summary>
        SEResNeXtBottleneck,
        /// <summary><c>SEBottleneck</c> (SENet-154): 1×1 to filters/2 → grouped 3×3 to filters (stride here) → 1×1; 3×3 strided shortcut.</summary>
        SEBottleneck,
    }

    /// <summary>classification_models' <c>ModelParams</c> (the fields that shape the network without top).</summary>
    public sealed record Params(string model_name, int[] repetitions, Block residual_block, int groups, int reduction,
        int init_filters, bool input_3x3);

    /// <summary>The models of senet.py by name.</summary>
    public static IReadOnlyDictionary<string, Params> Models { get; } = new Dictionary<string, Params>
    {
        ["seresnet50"] = new("seresnet50", new[] { 3, 4, 6, 3 }, Block.SEResNetBottleneck, 1, 16, 64, false),
        ["seresnet101"] = new("seresnet101", new[] { 3, 4, 23, 3 }, Block.SEResNetBottleneck, 1, 16, 64, false),
        ["seresnet152"] = new("seresnet152", new[] { 3, 8, 36, 3 }, Block.SEResNetBottleneck, 1, 16, 64, false),
        ["seresnext50"] = new("seresnext50", new[] { 3, 4, 6, 3 }, Block.SEResNeXtBottleneck, 32, 16, 64, false),
        ["seresnext101"] = new("seresnext101", new[] { 3, 4, 23, 3 }, Block.SEResNeXtBottleneck, 32, 16, 64, false),
        ["senet154"] = new("senet154", new[] { 3, 8, 36, 3 }, Block.SEBottleneck, 64, 16, 64, true),
    };

    /// <summary>float32(1e-5) as Python writes it: classification_models' BatchNormalization epsilon.</summary>
    public const double Epsilon = 9.999999747378752e-06;

    /// <summary>Builds the network without top on <paramref name="inputs"/>; the model is named like Keras' automatic model name.</summary>
    public static Model Build(KerasTensor inputs, string name)
    {
        var p = Models.TryGetValue(name, out var found) ? found
            : throw new ArgumentException($"classification_models' senet.py has no model '{name}' (it has {string.Join(", ", Models.Keys)}).");
        return new Builder(p).Build(inputs);
    }

    sealed class Builder(Params p)
    {
        readonly OneBasedLayerNames names = new();

        public Model Build(KerasTensor inputs)
        {
            var x = inputs;
            if (p.input_3x3)
            {
                x = Pad(x, 1);
                x = Relu(Bn(Conv(x, p.init_filters, 3, strides: 2)));
                x = Pad(x, 1);
                x = Relu(Bn(Conv(x, p.init_filters, 3)));
                x = Pad(x, 1);
                x = Relu(Bn(Conv(x, p.init_filters * 2, 3)));
            }
            else
            {
                x = Pad(x, 3);
                x = Relu(Bn(Conv(x, p.init_filters, 7, strides: 2)));
            }
            x = Pad(x, 1);
            x = new MaxPooling2D(pool_size: 3, strides: 2, name: names.Next("max_pooling2d")).Apply(x).Single();
            var filters = p.init_filters * 2;
            for (int stage = 0; stage < p.repetitions.Length; stage++)
            {
                filters *= 2;
                for (int block = 0; block < p.repetitions[stage]; block++)
                {
                    var strides = stage > 0 && block == 0 ? 2 : 1;
                    x = p.residual_block switch
                    {
                        Block.SEResNetBottleneck => SEResNetBottleneck(x, filters, strides),
                        Block.SEResNeXtBottleneck => SEResNeXtBottleneck(x, filters, strides),
                        _ => SEBottleneck(x, filters, strides, is_first: stage == 0 && block == 0),
                    };
                }
            }
            return keras.Model(inputs, x, name: LayerNames.Unique("model"));
        }

        KerasTensor SEResNetBottleneck(KerasTensor input, int filters, int strides)
        {
            var x = Relu(Bn(Conv(input, filters / 4, 1, strides)));
            x = Pad(x, 1);
            x = Relu(Bn(Conv(x, filters / 4, 3)));
            x = Bn(Conv(x, filters, 1));
            return Merge(x, Shortcut(input, x, strides, 1, pad: false));
        }

        KerasTensor SEResNeXtBottleneck(KerasTensor input, int filters, int strides, int base_width = 4)
        {
            var width = filters / 4 * base_width * p.groups / 64;
            var x = Relu(Bn(Conv(input, width, 1)));
            x = Pad(x, 1);
            x = Relu(Bn(GroupConv(x, width, strides)));
            x = Bn(Conv(x, filters, 1));
            return Merge(x, Shortcut(input, x, strides, 1, pad: false));
        }

        KerasTensor SEBottleneck(KerasTensor input, int filters, int strides, bool is_first)
        {
            var x = Relu(Bn(Conv(input, filters / 2, 1)));
            x = Pad(x, 1);
            x = Relu(Bn(GroupConv(x, filters, strides)));
            x = Bn(Conv(x, filters, 1));
            return Merge(x, Shortcut(input, x, strides, is_first ? 1 : 3, pad: !is_first));
        }

        /// <summary>The residual: the input, or a strided convolution + BN when the size or channel count changes.</summary>
        KerasTensor Shortcut(KerasTensor input, KerasTensor x, int strides, int kernel, bool pad)
        {
            var channels = (int)x.shape[-1]!.Value;
            if (strides == 1 && channels == input.shape[-1]) return input;
            var residual = pad ? Pad(input, 1) : input;
            return Bn(Conv(residual, channels, kernel, strides));
        }

        /// <summary>ChannelSE on the block, Add with the residual, relu.</summary>
        KerasTensor Merge(KerasTensor x, KerasTensor residual)
        {
            x = SeResNet.ChannelSE(x, p.reduction, names);
            return Relu(new Add(name: names.Next("add")).Apply(new KerasTensors(x, residual)).Single());
        }

        /// <summary>classification_models' GroupConv2D: slice, convolve and concatenate each group (3×3, no bias).</summary>
        KerasTensor GroupConv(KerasTensor input, int filters, int strides)
        {
            var inChannels = (int)input.shape[-1]!.Value / p.groups;
            var outChannels = filters / p.groups;
            var blocks = new List<KerasTensor>(p.groups);
            for (int c = 0; c < p.groups; c++)
            {
                var arguments = new JsonObject { ["start"] = (long)c * inChannels, ["stop"] = (long)(c + 1) * inChannels, ["axis"] = 3L };
                var slice = new Lambda(SeNetFunctions.slice_tensor, arguments, name: names.Next("lambda")).Apply(input).Single();
                blocks.Add(Conv(slice, outChannels, 3, strides));
            }
            return new Concatenate(axis: 3, name: names.Next("concatenate")).Apply(new KerasTensors(blocks)).Single();
        }

        KerasTensor Conv(KerasTensor x, int filters, int kernel, int strides = 1) =>
            new Conv2D(filters, kernel, strides: strides, use_bias: false, kernel_initializer: "he_uniform", name: names.Next("conv2d"))
                .Apply(x).Single();

        KerasTensor Bn(KerasTensor x) => new BatchNormalization(axis: 3, epsilon: Epsilon, name: names.Next("batch_normalization")).Apply(x).Single();

        KerasTensor Relu(KerasTensor x) => new Activation("relu", name: names.Next("activation")).Apply(x).Single();

        KerasTensor Pad(KerasTensor x, int padding) => new ZeroPadding2D(padding: padding, name: names.Next("zero_padding2d")).Apply(x).Single();
    }
}
