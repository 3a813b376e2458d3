using RetinaNet.Core;
using RetinaNet.Core.Layers;

namespace RetinaNet.Layers.TorchVision;

/// <summary>
/// torchvision's <c>retinanet_resnet50_fpn</c> (v1) and <c>retinanet_resnet50_fpn_v2</c> as a functional model of
/// our layers (NHWC). Every layer with weights is named after the PyTorch module that holds them
/// (<c>backbone.body.layer1.0.conv1</c>, <c>head.classification_head.cls_logits</c>, …), which is how
/// <see cref="TorchVisionWeights"/> maps a <c>state_dict</c> onto it. The input is the normalised, padded image
/// batch of <see cref="TorchVisionTransform"/>; the outputs are <c>regression</c> (B, N, 4) box deltas for
/// torchvision's <see cref="TorchVisionBoxCoder"/> and <c>classification</c> (B, N, K) sigmoid scores, rows in
/// torchvision's order (level, y, x, anchor).
/// </summary>
/// <remarks>
/// PyTorch pads symmetrically where TensorFlow's "same" pads the extra row at the bottom; every strided 3×3 or 7×7
/// convolution and the stem's max pooling are therefore an explicit ZeroPadding2D then a "valid" layer. Zero padding
/// before the max pooling equals PyTorch's −∞ padding because its input is a ReLU output.
/// </remarks>
public static class TorchVisionRetinaNet
{
    /// <summary>Anchors per location: three sizes times three aspect ratios.</summary>
    public const int NumAnchors = 9;

    /// <summary>Builds the training model (outputs <c>regression</c>, <c>classification</c>).</summary>
    /// <param name="variant">v1 or v2.</param>
    /// <param name="num_classes">Classes the head predicts (torchvision's <c>num_classes</c>, background included if
    /// the checkpoint counts it).</param>
    /// <param name="prior_probability">Initial foreground probability of the classification bias.</param>
    /// <param name="transform">The transform recorded in the model (torchvision's defaults).</param>
    /// <param name="postprocess">The post-processing recorded in the model (torchvision's defaults).</param>
    public static Model Build(TorchVisionVariant variant, int num_classes, double prior_probability = 0.01,
        TorchVisionTransform? transform = null, TorchVisionPostprocess? postprocess = null)
    {
        if (num_classes <= 0) throw new ArgumentException($"num_classes must be positive (got {num_classes}).");
        transform ??= new TorchVisionTransform();
        postprocess ??= new TorchVisionPostprocess();
        var inputs = keras.Input(new Shape(null, null, 3), name: "images");
        KerasTensor padded = new TorchVisionInput(variant == TorchVisionVariant.V2 ? "v2" : "v1", transform.min_size, transform.max_size,
            TorchVisionTransform.SizeDivisible, postprocess.score_thresh, postprocess.nms_thresh, postprocess.detections_per_img,
            postprocess.topk_candidates, name: InputLayerName).Apply(inputs);
        var (c3, c4, c5) = TorchVisionResNet.Build(padded, "backbone.body.");
        var features = Pyramid(c3, c4, c5, variant.P6FromC5());
        var groupNorm = variant.HeadGroupNorm();
        var regressionHead = Head("head.regression_head.", "bbox_reg", NumAnchors * 4, 4, groupNorm, "zeros", "regression_head", sigmoid: false);
        var classificationHead = Head("head.classification_head.", "cls_logits", NumAnchors * num_classes, num_classes, groupNorm,
            new PriorProbability(prior_probability), "classification_head", sigmoid: true);
        KerasTensor regression = new Concatenate(axis: 1, name: "regression")
            .Apply(new KerasTensors(features.Select(f => (KerasTensor)regressionHead.Apply(f))));
        KerasTensor classification = new Concatenate(axis: 1, name: "classification")
            .Apply(new KerasTensors(features.Select(f => (KerasTensor)classificationHead.Apply(f))));
        return keras.Model(inputs, new KerasTensors(regression, classification), name: variant.ModelName());
    }

    /// <summary>Name of the <see cref="TorchVisionInput"/> layer that marks a torchvision RetinaNet and holds its recipe.</summary>
    public const string InputLayerName = "torchvision_input";

    /// <summary>
    /// The recipe of a torchvision RetinaNet of ours (training model, or inference model that nests one): its
    /// <see cref="TorchVisionInput"/> layer; null for every other model.
    /// </summary>
    public static TorchVisionInput? RecipeOf(Model model)
    {
        foreach (var layer in model.layers)
        {
            if (layer is TorchVisionInput recipe) return recipe;
            if (layer is Model inner && RecipeOf(inner) is TorchVisionInput found) return found;
        }
        return null;
    }

    /// <summary>Whether a Keras .h5 file holds a torchvision RetinaNet of ours, read from its config without loading it.</summary>
    public static bool IsTorchVisionFile(string path) =>
        KerasFileInfo.Read(path).layers.Any(l => l.class_name == nameof(TorchVisionInput));

    /// <summary>The variant a model was built as, from its recipe; null for other models.</summary>
    public static TorchVisionVariant? VariantOf(Model model) => RecipeOf(model)?.variant;

    /// <summary>
    /// The inference model of a torchvision training model: input the normalised image at its own size (NHWC, RGB,
    /// ImageNet mean/std: <c>preprocess_image</c>'s <c>torch</c> mode) → <see cref="TorchVisionResize"/> → the training
    /// model (which pads to 32) → <see cref="TorchVisionCandidates"/> → <see cref="FilterDetections"/> (class-specific
    /// NMS) → <see cref="TorchVisionRescaleBoxes"/>: outputs boxes in the input's pixels, scores and labels, padded
    /// with −1 as every inference model of ours. The detections are <see cref="TorchVisionDetector"/>'s.
    /// </summary>
    /// <param name="training">A model built by <see cref="Build"/> (or loaded from its .h5).</param>
    /// <param name="filter">Score threshold, NMS IoU and detections per image; default the recipe's.</param>
    /// <param name="transform">Resize sizes; default the recipe's.</param>
    public static Model inference_model(Model training, DetectionFilter? filter = null, TorchVisionTransform? transform = null)
    {
        RetinaNetBuilder.assert_training_model(training);
        var recipe = RecipeOf(training) ?? throw new ArgumentException($"Model '{training.name}' is not a torchvision RetinaNet (it has no {nameof(TorchVisionInput)} layer).");
        filter ??= DetectionFilter.Default with
        {
            score_threshold = recipe.score_thresh, nms_threshold = recipe.nms_thresh, max_detections = recipe.detections_per_img,
        };
        if (!filter.nms || !filter.class_specific_filter)
            throw new ArgumentException("A torchvision RetinaNet filters each class separately with NMS (no --no-nms or --no-class-specific-filter).");
        transform ??= recipe.transform;
        var image = keras.Input(new Shape(null, null, 3), name: "image");
        KerasTensor resized = new TorchVisionResize(transform.min_size, transform.max_size, name: "torchvision_resize").Apply(image);
        var outputs = training.Apply(resized);
        var candidates = new TorchVisionCandidates(recipe.topk_candidates, filter.score_threshold, name: "torchvision_candidates")
            .Apply(new KerasTensors(resized, outputs[0], outputs[1]));
        var detections = new FilterDetections(filter, name: "filtered_detections").Apply(new KerasTensors(candidates[0], candidates[1]));
        KerasTensor boxes = new TorchVisionRescaleBoxes(name: "torchvision_boxes").Apply(new KerasTensors(image, resized, detections[0]));
        return keras.Model(image, new KerasTensors(boxes, detections[1], detections[2]), name: "retinanet-bbox");
    }

    /// <summary>
    /// torchvision's <c>FeaturePyramidNetwork</c> on C3–C5 with <c>LastLevelP6P7</c>: 1×1 lateral convs
    /// (<c>inner_blocks</c>), nearest top-down upsampling to the lateral's size, 3×3 output convs (<c>layer_blocks</c>),
    /// then P6 = conv3×3/2(P5 or C5) and P7 = conv3×3/2(relu(P6)).
    /// </summary>
    static List<KerasTensor> Pyramid(KerasTensor c3, KerasTensor c4, KerasTensor c5, bool p6FromC5)
    {
        const string prefix = "backbone.fpn.";
        Conv2D Conv(int kernel, string name) => new(256, kernel, padding: "same", kernel_initializer: "lecun_uniform", name: prefix + name);
        var laterals = new[] { c3, c4, c5 };
        var results = new KerasTensor[3];
        KerasTensor lastInner = Conv(1, "inner_blocks.2.0").Apply(c5);
        results[2] = Conv(3, "layer_blocks.2.0").Apply(lastInner);
        for (int i = 1; i >= 0; i--)
        {
            KerasTensor lateral = Conv(1, $"inner_blocks.{i}.0").Apply(laterals[i]);
            KerasTensor topDown = new UpsampleLike(name: prefix + $"top_down.{i}").Apply(new KerasTensors(lastInner, lateral));
            lastInner = new Add(name: prefix + $"merged.{i}").Apply(new KerasTensors(lateral, topDown));
            results[i] = Conv(3, $"layer_blocks.{i}.0").Apply(lastInner);
        }
        KerasTensor p6Input = p6FromC5 ? c5 : results[2];
        KerasTensor p6 = StridedConv(p6Input, 256, prefix + "extra_blocks.p6");
        KerasTensor p6Relu = new Activation("relu", name: prefix + "extra_blocks.p6_relu").Apply(p6);
        KerasTensor p7 = StridedConv(p6Relu, 256, prefix + "extra_blocks.p7");
        return new List<KerasTensor>(results) { p6, p7 };
    }

    static KerasTensor StridedConv(KerasTensor x, int filters, string name)
    {
        KerasTensor padded = new ZeroPadding2D(padding: 1, name: name + "_pad").Apply(x);
        return new Conv2D(filters, 3, strides: 2, kernel_initializer: "lecun_uniform", name: name).Apply(padded);
    }

    /// <summary>
    /// One head as a shared sub-model: 4× (conv3×3 [+ GroupNorm(32)] + ReLU) named <c>{prefix}conv.{i}.0</c>
    /// (<c>.1</c> for the norm), the final conv, reshaped to (B, H·W·A, values); N(0, 0.01) kernels.
    /// </summary>
    static Model Head(string prefix, string finalName, int filters, int values, bool groupNorm, object finalBias, string name, bool sigmoid)
    {
        var inputs = keras.Input(new Shape(null, null, 256));
        KerasTensors x = inputs;
        for (int i = 0; i < 4; i++)
        {
            x = new Conv2D(256, 3, padding: "same", use_bias: !groupNorm, kernel_initializer: new RandomNormal(0.0, 0.01),
                name: $"{prefix}conv.{i}.0").Apply(x);
            if (groupNorm) x = new GroupNormalization(groups: 32, epsilon: 1e-5, name: $"{prefix}conv.{i}.1").Apply(x);
            x = new Activation("relu", name: $"{prefix}conv.{i}.2").Apply(x);
        }
        x = new Conv2D(filters, 3, padding: "same", kernel_initializer: new RandomNormal(0.0, 0.01), bias_initializer: finalBias,
            name: prefix + finalName).Apply(x);
        x = new Reshape(new long[] { -1, values }, name: prefix + finalName + "_reshape").Apply(x);
        if (sigmoid) x = new Activation("sigmoid", name: prefix + finalName + "_sigmoid").Apply(x);
        return keras.Model(inputs, x, name: name);
    }
}
