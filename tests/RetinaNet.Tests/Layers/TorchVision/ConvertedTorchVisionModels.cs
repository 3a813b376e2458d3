using RetinaNet.Core;
using RetinaNet.Core.Layers;
using RetinaNet.Layers;
using RetinaNet.Layers.TorchVision;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers.TorchVision;

/// <summary>
/// Small randomised torchvision RetinaNets saved as <c>convert-torchvision</c> saves them (the model
/// <see cref="TorchVisionWeights.LoadModel"/> builds, written with <c>model.save</c>), and test images. Batch-norm and
/// group-norm statistics are randomised, the regression head is scaled to O(1) deltas and the classification head so
/// its logits on the first test image have mean −1 and standard deviation 2: scores spread over (0, 1), hundreds above
/// torchvision's 0.05 threshold, few ties.
/// </summary>
internal static class ConvertedTorchVisionModels
{
    public const int NumClasses = 3;

    /// <summary>Sides the tests resize to (torchvision's 800/1333 would only make them slower).</summary>
    public const int MinSize = 128, MaxSize = 200;

    /// <summary>A randomised model of the variant; deterministic for a seed.</summary>
    public static Model Build(TorchVisionVariant variant, string imagePath, long seed = 1)
    {
        keras.backend.clear_session();
        manual_seed(seed);
        var model = TorchVisionRetinaNet.Build(variant, NumClasses);
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        foreach (var layer in AllLayers(model))
        {
            if (layer is BatchNormalization)
            {
                var w = layer.get_weights();
                layer.set_weights(new[]
                {
                    rand(w[0].shape, generator: generator) * 0.4 + 0.8, randn(w[1].shape, generator: generator) * 0.1,
                    randn(w[2].shape, generator: generator) * 0.1, rand(w[3].shape, generator: generator) * 0.4 + 0.8,
                });
            }
            else if (layer is GroupNormalization)
            {
                var w = layer.get_weights();
                layer.set_weights(new[] { rand(w[0].shape, generator: generator) * 0.4 + 0.8, randn(w[1].shape, generator: generator) * 0.1 });
            }
        }
        var detector = new TorchVisionDetector(model, new TorchVisionTransform(MinSize, MaxSize));
        var (batch, _, _) = detector.transform.Apply(new[] { Rgb(imagePath) });
        var outputs = model.predict_on_batch(batch);
        var regression = RetinaNetBuilder.FindLayer(model, "head.regression_head.bbox_reg")!;
        var deltaStd = outputs[0].std().item<float>();
        if (deltaStd > 0.5) regression.set_weights(new[] { regression.get_weights()[0] * (0.5 / deltaStd), regression.get_weights()[1] });
        var p = outputs[1].to(ScalarType.Float64).clamp(1e-12, 1 - 1e-12);
        var logits = (p / (1 - p)).log();
        double mean = logits.mean().item<double>(), std = logits.std().item<double>();
        var head = RetinaNetBuilder.FindLayer(model, "head.classification_head.cls_logits")!;
        var hw = head.get_weights();
        var s = 2 / std;
        head.set_weights(new[] { hw[0] * s, (hw[1].to(ScalarType.Float64) - mean) * s - 1 });
        return model;
    }

    static IEnumerable<Layer> AllLayers(Model model) =>
        model.layers.SelectMany(l => l is Model inner ? AllLayers(inner) : new[] { l });

    /// <summary>Builds the model and saves it where convert-torchvision would.</summary>
    public static string Save(TorchVisionVariant variant, string folder, string imagePath, long seed = 1)
    {
        var path = Path.Combine(folder, $"converted-{variant}.h5");
        Build(variant, imagePath, seed).save(path);
        return path;
    }

    static readonly Lazy<string> sharedFolder = new(() =>
    {
        var created = Directory.CreateTempSubdirectory("rn-tv-shared").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(created, true); } catch (IOException) { } };
        return created;
    }, isThreadSafe: true);

    static readonly Dictionary<TorchVisionVariant, Lazy<(string model, string image)>> shared = new()
    {
        [TorchVisionVariant.V1] = new(() => Create(TorchVisionVariant.V1), isThreadSafe: true),
        [TorchVisionVariant.V2] = new(() => Create(TorchVisionVariant.V2), isThreadSafe: true),
    };

    static (string, string) Create(TorchVisionVariant variant)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var image = Image(sharedFolder.Value, 96, 140, seed: 5, name: $"image-{variant}.png");
        var built = Build(variant, image);
        var buildSeconds = clock.Elapsed.TotalSeconds;
        var model = Path.Combine(sharedFolder.Value, $"converted-{variant}.h5");
        built.save(model);
        TestContext.Progress.WriteLine($"Converted {variant} test model built in {buildSeconds:F1} s, saved in {clock.Elapsed.TotalSeconds - buildSeconds:F1} s");
        return (model, image);
    }

    /// <summary>
    /// One converted file per variant and the image its scores were spread on (96×140), made once per test run
    /// (a ResNet-50 RetinaNet takes seconds to build and save) and shared by the tests that only read them.
    /// </summary>
    public static (string model, string image) Shared(TorchVisionVariant variant) => shared[variant].Value;

    /// <summary>Loads a converted file as predict/evaluate do.</summary>
    public static Model Load(string path) => keras.models.load_model(path, CustomObjects.WithResNet(), compile: false);

    /// <summary>A PNG of smooth random colours (lossless, so every reader sees the same pixels).</summary>
    public static string Image(string folder, int height, int width, long seed, string name = "image.png")
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        var coarse = rand(new long[] { 1, 3, height / 8 + 1, width / 8 + 1 }, generator: generator);
        var smooth = nn.functional.interpolate(coarse, new[] { (long)height, (long)width }, mode: InterpolationMode.Bilinear, align_corners: false);
        var noise = rand(new long[] { 1, 3, height, width }, generator: generator) * 0.2;
        var pixels = ((smooth * 0.8 + noise) * 255).clamp(0, 255).round()[0].permute(1, 2, 0);
        var path = Path.Combine(folder, name);
        RetinaNet.Train.Utils.ImageIO.write_image(path, pixels);
        return path;
    }

    /// <summary>An image file as torchvision takes it: RGB float in [0, 1].</summary>
    public static Tensor Rgb(string imagePath)
    {
        using var scope = NewDisposeScope();
        return RetinaNet.Train.Utils.ImageIO.read_image_bgr(imagePath).flip(2).div(255.0).MoveToOuterDisposeScope();
    }

    /// <summary>What the C# TorchVision path (proven equal to torchvision) detects in an image file.</summary>
    public static Onnx.OnnxComparison.Outputs Reference(Model model, string imagePath, double scoreThresh = 0.05)
    {
        var detector = new TorchVisionDetector(model, new TorchVisionTransform(MinSize, MaxSize), new TorchVisionPostprocess(score_thresh: scoreThresh));
        using var d = detector.Detect(new[] { Rgb(imagePath) })[0];
        return new Onnx.OnnxComparison.Outputs(d.boxes.contiguous().data<float>().ToArray(), d.scores.contiguous().data<float>().ToArray(),
            d.labels.to(ScalarType.Int32).contiguous().data<int>().ToArray());
    }
}
