using RetinaNet.Layers.Utils;
using RetinaNet.Core;
using RetinaNet.Core.Layers;

namespace RetinaNet.Layers;

/// <summary>
/// keras-retinanet's <c>models/retinanet.py</c>: the FPN, the default heads, the training model and the inference
/// model with in-graph anchors, box decoding and filtering. Layer names are keras-retinanet's so weights load by name.
/// </summary>
public static class RetinaNetBuilder
{
    /// <summary>
    /// The regression head: 4× Conv2D(3×3, relu) then Conv2D(num_anchors·num_values); kernels N(0, 0.01), zero bias;
    /// reshaped to (B, H·W·A, num_values), anchor-major within a location.
    /// </summary>
    public static Model default_regression_model(int num_values, int num_anchors, int pyramid_feature_size = 256,
        int regression_feature_size = 256, string name = "regression_submodel", string head_norm = "none")
    {
        var inputs = keras.Input(new Shape(null, null, pyramid_feature_size));
        var outputs = HeadTower(inputs, regression_feature_size, num_anchors * num_values, "zeros", "pyramid_regression", head_norm);
        outputs = new Reshape(new long[] { -1, num_values }, name: "pyramid_regression_reshape").Apply(outputs);
        return keras.Model(inputs, outputs, name: name);
    }

    /// <summary>
    /// The classification head: 4× Conv2D(3×3, relu) then Conv2D(num_classes·num_anchors) whose bias starts at
    /// the prior probability, reshaped to (B, H·W·A, num_classes) and passed through a sigmoid.
    /// </summary>
    public static Model default_classification_model(int num_classes, int num_anchors, int pyramid_feature_size = 256,
        double prior_probability = 0.01, int classification_feature_size = 256, string name = "classification_submodel",
        string head_norm = "none")
    {
        var inputs = keras.Input(new Shape(null, null, pyramid_feature_size));
        var outputs = HeadTower(inputs, classification_feature_size, num_classes * num_anchors,
            new PriorProbability(prior_probability), "pyramid_classification", head_norm);
        outputs = new Reshape(new long[] { -1, num_classes }, name: "pyramid_classification_reshape").Apply(outputs);
        outputs = new Activation("sigmoid", name: "pyramid_classification_sigmoid").Apply(outputs);
        return keras.Model(inputs, outputs, name: name);
    }

    /// <summary>
    /// The convolutions both heads share in shape: 4× Conv2D(3×3, relu) named <c>{prefix}_0..3</c>, then Conv2D
    /// named <c>{prefix}</c> with <paramref name="filters"/> outputs; kernels N(0, 0.01), zero biases except the last.
    /// With <paramref name="head_norm"/> <c>group</c> each of the four is conv (no bias) → GroupNormalization(32, ε 1e-5)
    /// <c>{prefix}_{i}_gn</c> → ReLU <c>{prefix}_{i}_relu</c>, as torchvision's v2 heads.
    /// </summary>
    static KerasTensors HeadTower(KerasTensor inputs, int feature_size, int filters, object final_bias, string prefix, string head_norm = "none")
    {
        if (head_norm is not ("none" or "group"))
            throw new ArgumentException($"Unknown head normalisation '{head_norm}': choose none or group.");
        if (head_norm == "group" && feature_size % 32 != 0)
            throw new ArgumentException($"--head-norm group uses 32 groups: the head width ({feature_size}) must be a multiple of 32.");
        KerasTensors outputs = inputs;
        for (int i = 0; i < 4; i++)
        {
            if (head_norm == "none")
            {
                outputs = new Conv2D(feature_size, 3, strides: 1, padding: "same", activation: "relu",
                    kernel_initializer: new RandomNormal(0.0, 0.01), bias_initializer: "zeros", name: $"{prefix}_{i}").Apply(outputs);
                continue;
            }
            outputs = new Conv2D(feature_size, 3, strides: 1, padding: "same", use_bias: false,
                kernel_initializer: new RandomNormal(0.0, 0.01), name: $"{prefix}_{i}").Apply(outputs);
            outputs = new GroupNormalization(groups: 32, epsilon: 1e-5, name: $"{prefix}_{i}_gn").Apply(outputs);
            outputs = new Activation("relu", name: $"{prefix}_{i}_relu").Apply(outputs);
        }
        return new Conv2D(filters, 3, strides: 1, padding: "same",
            kernel_initializer: new RandomNormal(0.0, 0.01), bias_initializer: final_bias, name: prefix).Apply(outputs);
    }

    /// <summary>keras-retinanet's <c>default_submodels</c>: regression then classification.</summary>
    public static List<(string name, Model model)> default_submodels(int num_classes, int num_anchors,
        int pyramid_feature_size = 256, int head_feature_size = 256, double prior_probability = 0.01, string head_norm = "none") => new()
    {
        ("regression", default_regression_model(4, num_anchors, pyramid_feature_size, head_feature_size, head_norm: head_norm)),
        ("classification", default_classification_model(num_classes, num_anchors, pyramid_feature_size, prior_probability, head_feature_size,
            head_norm: head_norm)),
    };

    /// <summary>
    /// The feature pyramid (keras-retinanet's <c>__create_pyramid_features</c>): top-down from C5 with UpsampleLike
    /// and Add, 3×3 smoothing convs, P6 from C5 (not P5) with stride 2, P7 from relu(P6). Returns P-levels by number.
    /// <paramref name="p6_from"/> <c>p5</c> computes P6 from the P5 output instead (torchvision v1).
    /// </summary>
    public static SortedDictionary<int, KerasTensor> create_pyramid_features(IReadOnlyDictionary<string, KerasTensor> backbone_layers,
        int[] pyramid_levels, int feature_size = 256, string p6_from = "c5")
    {
        if (p6_from is not ("c5" or "p5")) throw new ArgumentException($"Unknown P6 source '{p6_from}': choose c5 or p5.");
        Conv2D conv(int kernel, string name, int stride = 1) =>
            new(feature_size, kernel, strides: stride, padding: "same", name: name);
        var C3 = backbone_layers["C3"];
        var C4 = backbone_layers["C4"];
        var C5 = backbone_layers["C5"];
        var features = new SortedDictionary<int, KerasTensor>();

        KerasTensor P5 = conv(1, "C5_reduced").Apply(C5);
        KerasTensor P5_upsampled = new UpsampleLike(name: "P5_upsampled").Apply(new KerasTensors(P5, C4));
        features[5] = conv(3, "P5").Apply(P5);

        KerasTensor P4 = conv(1, "C4_reduced").Apply(C4);
        P4 = new Add(name: "P4_merged").Apply(new KerasTensors(P5_upsampled, P4));
        KerasTensor P4_upsampled = new UpsampleLike(name: "P4_upsampled").Apply(new KerasTensors(P4, C3));
        features[4] = conv(3, "P4").Apply(P4);

        KerasTensor P3 = conv(1, "C3_reduced").Apply(C3);
        P3 = new Add(name: "P3_merged").Apply(new KerasTensors(P4_upsampled, P3));
        if (backbone_layers.TryGetValue("C2", out var C2) && pyramid_levels.Contains(2))
        {
            KerasTensor P3_upsampled = new UpsampleLike(name: "P3_upsampled").Apply(new KerasTensors(P3, C2));
            features[3] = conv(3, "P3").Apply(P3);
            KerasTensor P2 = conv(1, "C2_reduced").Apply(C2);
            P2 = new Add(name: "P2_merged").Apply(new KerasTensors(P3_upsampled, P2));
            features[2] = conv(3, "P2").Apply(P2);
        }
        else features[3] = conv(3, "P3").Apply(P3);

        if (pyramid_levels.Contains(6))
        {
            KerasTensor P6 = conv(3, "P6", stride: 2).Apply(p6_from == "p5" ? features[5] : C5);
            features[6] = P6;
            if (pyramid_levels.Contains(7))
            {
                KerasTensor P7 = new Activation("relu", name: "C6_relu").Apply(P6);
                features[7] = conv(3, "P7", stride: 2).Apply(P7);
            }
        }
        else if (pyramid_levels.Contains(7))
            throw new ArgumentException("P6 is required to use P7");

        foreach (var level in features.Keys.ToList())
            if (!pyramid_levels.Contains(level)) features.Remove(level);
        return features;
    }

    /// <summary>
    /// The training model: backbone C-layers → FPN → every sub-model applied to every level (shared weights) →
    /// one <c>Concatenate(axis=1)</c> per sub-model, named after it (<c>regression</c>, <c>classification</c>).
    /// </summary>
    public static Model retinanet(KerasTensor inputs, IReadOnlyDictionary<string, KerasTensor> backbone_layers, int num_classes,
        RetinaNetOptions? options = null)
    {
        options ??= new RetinaNetOptions();
        var num_anchors = options.anchors.num_anchors();
        var levels = options.anchors.pyramid_levels.ToArray();
        if (levels.Contains(2) && !backbone_layers.ContainsKey("C2"))
            throw new ArgumentException("C2 not provided by backbone model. Cannot create P2 layers.");
        if (!(levels.Contains(3) && levels.Contains(4) && levels.Contains(5)))
            throw new ArgumentException("pyramid levels 3, 4, and 5 required for functionality");

        var submodels = options.submodels
            ?? default_submodels(num_classes, num_anchors, options.feature_size, options.head_feature_size, options.prior_probability,
                options.head_norm);
        var features = create_pyramid_features(backbone_layers, levels, options.feature_size, options.p6_from).Values.ToList();

        var outputs = submodels
            .Select(s => (KerasTensor)new Concatenate(axis: 1, name: s.name).Apply(new KerasTensors(features.Select(f => (KerasTensor)s.model.Apply(f)))))
            .ToList();
        return keras.Model(inputs, new KerasTensors(outputs), name: options.name);
    }

    /// <summary>
    /// Throws unless the model is a training model (outputs <c>regression</c> and <c>classification</c>),
    /// with keras-retinanet's message.
    /// </summary>
    public static void assert_training_model(Model model)
    {
        if (!(model.output_names.Contains("regression") && model.output_names.Contains("classification")))
            throw new ArgumentException(
                $"Input is not a training model (no 'regression' and 'classification' outputs were found, outputs are: [{string.Join(", ", model.output_names.Select(n => $"'{n}'"))}]).");
    }

    /// <summary>Finds a layer by name in a model or any model nested in it.</summary>
    public static Layer? FindLayer(Model model, string name)
    {
        foreach (var layer in model.layers)
        {
            if (layer.name == name) return layer;
            if (layer is Model inner && FindLayer(inner, name) is Layer found) return found;
        }
        return null;
    }

    /// <summary>
    /// The inference model (keras-retinanet's <c>retinanet_bbox</c>, whose arguments it keeps, with
    /// <c>anchor_params</c> and <c>pyramid_levels</c> as one <see cref="AnchorConfig"/>; a filter setting left out
    /// takes <see cref="DetectionFilter"/>'s default).
    /// </summary>
    public static Model retinanet_bbox(Model model, bool? nms = null, bool? class_specific_filter = null,
        string name = "retinanet-bbox", AnchorConfig? anchor_config = null,
        double? nms_threshold = null, double? score_threshold = null, int? max_detections = null, int? parallel_iterations = null) =>
        retinanet_bbox(model, DetectionFilter.Of(nms, class_specific_filter, nms_threshold, score_threshold, max_detections,
            parallel_iterations), anchor_config, name);

    /// <summary>
    /// The inference model: anchors computed in the graph from the real P-level shapes, <c>RegressBoxes</c>,
    /// <c>ClipBoxes</c> against the input image, <c>FilterDetections</c> with <paramref name="filter"/>
    /// → [boxes, scores, labels, other…].
    /// </summary>
    public static Model retinanet_bbox(Model model, DetectionFilter filter, AnchorConfig? anchor_config = null,
        string name = "retinanet-bbox")
    {
        var anchor_params = anchor_config ?? AnchorConfig.Default;
        assert_training_model(model);
        var pyramid_levels = anchor_params.pyramid_levels;
        if (pyramid_levels.Count != anchor_params.sizes.Count)
            throw new ArgumentException(
                $"number of pyramid levels {pyramid_levels.Count} should match number of anchor parameter sizes {anchor_params.sizes.Count}");

        // A model trained with other anchors has another number of anchors per location; say so instead of
        // failing later with incompatible shapes (keras-retinanet issues #941/#957).
        if (FindLayer(model, "pyramid_regression") is Conv2D head && head.filters / 4 != anchor_params.num_anchors())
            throw new ArgumentException(
                $"The model predicts {head.filters / 4} anchors per location but the anchor parameters give {anchor_params.num_anchors()} " +
                $"({anchor_params.ratios.Count} ratios x {anchor_params.scales.Count} scales). Convert it with the anchor config it was trained with.");

        var ratios = anchor_params.ratios_as_double();
        var scales = anchor_params.scales_as_double();
        var features = pyramid_levels.Select(l => model.get_layer($"P{l}").output.Single()).ToList();
        var anchors = new Concatenate(axis: 1, name: "anchors").Apply(new KerasTensors(features.Select((f, i) =>
            (KerasTensor)new Anchors(anchor_params.sizes[i], anchor_params.strides[i], ratios, scales,
                name: $"anchors_{i}").Apply(f))));

        var regression = model.outputs[0];
        var classification = model.outputs[1];
        var other = model.outputs.Skip(2).ToList();

        KerasTensor boxes = new RegressBoxes(name: "boxes").Apply(new KerasTensors(anchors, regression));
        boxes = new ClipBoxes(name: "clipped_boxes").Apply(new KerasTensors(model.inputs[0], boxes));
        var detections = new FilterDetections(filter, name: "filtered_detections")
            .Apply(new KerasTensors(new[] { boxes, classification }.Concat(other)));
        return keras.Model(model.inputs, detections, name: name);
    }
}
