using RetinaNet.Core.Layers;
using static RetinaNet.Core.Onnx.OnnxAttributes;

namespace RetinaNet.Core.Onnx;

/// <summary>
/// ONNX mappings of the engine's layers. Convolutions, pools, batch norms and resizes work on channels-first data;
/// reshapes and dense layers on channels-last data, as Keras defines them; element-wise layers keep the layout they get.
/// </summary>
internal static class BuiltinOnnxConverters
{
    public static void RegisterAll(OnnxLayerRegistry r)
    {
        r.Register<Conv2D>(Conv2D);
        r.Register<DepthwiseConv2D>(DepthwiseConv2D);
        r.Register<BatchNormalization>(BatchNormalization);
        r.Register<Activation>((l, c) => One(OnnxActivations.Apply(c.Graph, l.activation, c.Input)));
        r.Register<ReLU>(ReLU);
        r.Register<Add>((l, c) => Elementwise(c, "Add"));
        r.Register<Subtract>((l, c) => Elementwise(c, "Sub"));
        r.Register<Multiply>((l, c) => Elementwise(c, "Mul"));
        r.Register<Concatenate>(Concatenate);
        r.Register<Reshape>(Reshape);
        r.Register<Flatten>((l, c) => One(new OnnxValue(c.Graph.Add("Flatten", new[] { c.ChannelsLast(c.Input) }, Int("axis", 1)), 2)));
        r.Register<Permute>((l, c) => One(new OnnxValue(
            c.Graph.Add("Transpose", new[] { c.ChannelsLast(c.Input) }, Ints("perm", new long[] { 0 }.Concat(l.dims.Select(d => (long)d)).ToArray())),
            c.Input.Rank)));
        r.Register<ZeroPadding2D>(ZeroPadding2D);
        r.Register<Cropping2D>(Cropping2D);
        r.Register<UpSampling2D>(UpSampling2D);
        r.Register<MaxPooling2D>((l, c) => Pool(c, "MaxPool", l.pool_size, l.strides, l.padding));
        r.Register<AveragePooling2D>((l, c) => Pool(c, "AveragePool", l.pool_size, l.strides, l.padding));
        r.Register<GlobalAveragePooling2D>((l, c) => GlobalPool(c, "ReduceMean", l.keepdims));
        r.Register<GlobalMaxPooling2D>((l, c) => GlobalPool(c, "ReduceMax", l.keepdims));
        r.Register<Dense>(Dense);
        r.Register<GroupNormalization>(GroupNormalizationOnnx.Convert);
        // Inference: dropout is the identity.
        r.Register<Dropout>((l, c) => One(c.Input));
        r.Register<SpatialDropout2D>((l, c) => One(c.Input));
    }

    static IReadOnlyList<OnnxValue> One(OnnxValue value) => new[] { value };

    static OnnxValue ChannelsFirstValue(string name) => new(name, 4, IsChannelsFirst: true);

    /// <summary>TF "same" is ONNX's SAME_UPPER (the odd pixel of padding goes after); "valid" pads nothing.</summary>
    static global::Onnx.AttributeProto PaddingAttribute(string padding) => padding switch
    {
        "same" => String("auto_pad", "SAME_UPPER"),
        "valid" => String("auto_pad", "VALID"),
        _ => throw new OnnxExportException($"padding '{padding}' has no ONNX mapping."),
    };

    static IReadOnlyList<OnnxValue> Conv2D(Conv2D l, OnnxLayerContext c)
    {
        var inputs = new List<string> { c.ChannelsFirst(c.Input), c.Weight(l.kernel, "oihw", k => k.permute(3, 2, 0, 1)) };
        if (l.bias is not null) inputs.Add(c.Weight(l.bias));
        var y = c.Graph.Add("Conv", inputs, Ints("kernel_shape", l.kernel_size.first, l.kernel_size.second),
            Ints("strides", l.strides.first, l.strides.second), Ints("dilations", l.dilation_rate.first, l.dilation_rate.second),
            Int("group", l.groups), PaddingAttribute(l.padding));
        return One(OnnxActivations.Apply(c.Graph, l.activation, ChannelsFirstValue(y)));
    }

    static IReadOnlyList<OnnxValue> DepthwiseConv2D(DepthwiseConv2D l, OnnxLayerContext c)
    {
        var channels = c.InputShapes[0][-1] ?? throw new OnnxExportException("the number of input channels must be known.");
        // Keras (kh, kw, in, multiplier) → (in·multiplier, 1, kh, kw), output channel i·multiplier + m.
        var inputs = new List<string>
        {
            c.ChannelsFirst(c.Input),
            c.Weight(l.depthwise_kernel, "oihw", k => k.reshape(k.shape[0], k.shape[1], -1).permute(2, 0, 1).unsqueeze(1)),
        };
        if (l.bias is not null) inputs.Add(c.Weight(l.bias));
        var y = c.Graph.Add("Conv", inputs, Ints("kernel_shape", l.kernel_size.first, l.kernel_size.second),
            Ints("strides", l.strides.first, l.strides.second), Ints("dilations", l.dilation_rate.first, l.dilation_rate.second),
            Int("group", channels), PaddingAttribute(l.padding));
        return One(OnnxActivations.Apply(c.Graph, l.activation, ChannelsFirstValue(y)));
    }

    /// <summary>
    /// Inference batch norm as one multiply and one add with per-channel constants computed as the engine computes
    /// them (scale = gamma / sqrt(var + eps), shift = beta − mean·scale), so the results round the same way.
    /// </summary>
    static IReadOnlyList<OnnxValue> BatchNormalization(BatchNormalization l, OnnxLayerContext c)
    {
        var x = c.Input;
        if (l.axis.Count != 1 || (l.axis[0] != -1 && l.axis[0] != x.Rank - 1))
            throw new OnnxExportException($"only normalisation over the last axis is exported (axis {string.Join(",", l.axis)}).");
        var scale = c.Derived((l, "scale"), l.name + "_scale", () =>
        {
            var s = l.moving_variance.value.detach().add(HeldScalar.Of(l.epsilon), HeldScalar.One).sqrt().reciprocal();
            return l.gamma is null ? s : s * l.gamma.value.detach();
        });
        var shift = c.Derived((l, "shift"), l.name + "_shift", () =>
        {
            using var s = l.moving_variance.value.detach().add(HeldScalar.Of(l.epsilon), HeldScalar.One).sqrt().reciprocal();
            var sc = l.gamma is null ? s.alias() : s * l.gamma.value.detach();
            var sh = -l.moving_mean.value.detach() * sc;
            return l.beta is null ? sh : sh.add(l.beta.value.detach(), HeldScalar.One);
        });
        string input;
        OnnxValue result;
        if (x.Rank == 4)
        {
            input = c.ChannelsFirst(x);
            scale = c.Graph.Add("Unsqueeze", new[] { scale, c.Graph.Int64s(1, 2) });
            shift = c.Graph.Add("Unsqueeze", new[] { shift, c.Graph.Int64s(1, 2) });
            result = ChannelsFirstValue("");
        }
        else
        {
            input = c.ChannelsLast(x);
            result = new OnnxValue("", x.Rank);
        }
        var y = c.Graph.Add("Add", new[] { c.Graph.Add("Mul", new[] { input, scale }), shift });
        return One(result with { Name = y });
    }

    static IReadOnlyList<OnnxValue> ReLU(ReLU l, OnnxLayerContext c)
    {
        if (l.threshold != 0) throw new OnnxExportException("ReLU with a threshold has no ONNX mapping.");
        var x = c.Input;
        var y = l.negative_slope == 0
            ? c.Graph.Add("Relu", new[] { x.Name })
            : c.Graph.Add("LeakyRelu", new[] { x.Name }, Float("alpha", (float)l.negative_slope));
        if (l.max_value is double max) y = c.Graph.Add("Min", new[] { y, c.Graph.Float((float)max) });
        return One(x with { Name = y });
    }

    /// <summary>Element-wise merges: rank-4 inputs meet channels-first, others channels-last.</summary>
    static IReadOnlyList<OnnxValue> Elementwise(OnnxLayerContext c, string op)
    {
        bool first = c.Inputs.All(v => v.Rank == 4) && c.Inputs.Any(v => v.IsChannelsFirst);
        var names = c.Inputs.Select(v => first ? c.ChannelsFirst(v) : c.ChannelsLast(v)).ToList();
        var y = names[0];
        foreach (var other in names.Skip(1)) y = c.Graph.Add(op, new[] { y, other });
        return One(new OnnxValue(y, c.Inputs.Max(v => v.Rank), first));
    }

    static IReadOnlyList<OnnxValue> Concatenate(Concatenate l, OnnxLayerContext c)
    {
        bool first = c.Inputs.All(v => v.Rank == 4) && c.Inputs.Any(v => v.IsChannelsFirst);
        var names = c.Inputs.Select(v => first ? c.ChannelsFirst(v) : c.ChannelsLast(v)).ToList();
        var like = new OnnxValue("", c.Inputs[0].Rank, first);
        var y = c.Graph.Add("Concat", names, Int("axis", like.OnnxAxis(l.axis)));
        return One(like with { Name = y });
    }

    static IReadOnlyList<OnnxValue> Reshape(Reshape l, OnnxLayerContext c)
    {
        var x = c.ChannelsLast(c.Input);
        var shape = c.Graph.Add("Concat", new[] { c.Graph.Dims(x, 0, 1), c.Graph.Int64s(l.target_shape) }, Int("axis", 0));
        return One(new OnnxValue(c.Graph.Add("Reshape", new[] { x, shape }), l.target_shape.Length + 1));
    }

    static IReadOnlyList<OnnxValue> ZeroPadding2D(ZeroPadding2D l, OnnxLayerContext c)
    {
        var p = l.padding;
        var pads = c.Graph.Int64s(0, 0, p.top, p.left, 0, 0, p.bottom, p.right);
        return One(ChannelsFirstValue(c.Graph.Add("Pad", new[] { c.ChannelsFirst(c.Input), pads, c.Graph.Float(0) })));
    }

    static IReadOnlyList<OnnxValue> Cropping2D(Cropping2D l, OnnxLayerContext c)
    {
        var m = l.cropping;
        var starts = c.Graph.Int64s(m.top, m.left);
        var ends = c.Graph.Int64s(m.bottom == 0 ? long.MaxValue : -m.bottom, m.right == 0 ? long.MaxValue : -m.right);
        return One(ChannelsFirstValue(c.Graph.Add("Slice", new[] { c.ChannelsFirst(c.Input), starts, ends, c.Graph.Int64s(2, 3) })));
    }

    static IReadOnlyList<OnnxValue> UpSampling2D(UpSampling2D l, OnnxLayerContext c)
    {
        var scales = c.Graph.Floats(new[] { 1f, 1f, l.size.first, l.size.second }, 4);
        var attributes = l.interpolation == "nearest"
            ? new[] { String("mode", "nearest"), String("coordinate_transformation_mode", "asymmetric"), String("nearest_mode", "floor") }
            : new[] { String("mode", "linear"), String("coordinate_transformation_mode", "half_pixel") };
        return One(ChannelsFirstValue(c.Graph.Add("Resize", new[] { c.ChannelsFirst(c.Input), "", scales }, attributes)));
    }

    static IReadOnlyList<OnnxValue> Pool(OnnxLayerContext c, string op, IntPair size, IntPair strides, string padding)
    {
        var attributes = new List<global::Onnx.AttributeProto>
        {
            Ints("kernel_shape", size.first, size.second), Ints("strides", strides.first, strides.second), PaddingAttribute(padding),
        };
        // TF's average pool divides by the number of real (unpadded) pixels.
        if (op == "AveragePool") attributes.Add(Int("count_include_pad", 0));
        return One(ChannelsFirstValue(c.Graph.Add(op, new[] { c.ChannelsFirst(c.Input) }, attributes.ToArray())));
    }

    static IReadOnlyList<OnnxValue> GlobalPool(OnnxLayerContext c, string op, bool keepdims)
    {
        var y = c.Graph.Add(op, new[] { c.ChannelsFirst(c.Input) }, Ints("axes", 2, 3), Int("keepdims", keepdims ? 1 : 0));
        return One(keepdims ? ChannelsFirstValue(y) : new OnnxValue(y, 2));
    }

    static IReadOnlyList<OnnxValue> Dense(Dense l, OnnxLayerContext c)
    {
        var x = c.ChannelsLast(c.Input);
        var y = c.Graph.Add("MatMul", new[] { x, c.Weight(l.kernel) });
        if (l.bias is not null) y = c.Graph.Add("Add", new[] { y, c.Weight(l.bias) });
        return One(OnnxActivations.Apply(c.Graph, l.activation, new OnnxValue(y, c.Input.Rank)));
    }
}
