using RetinaNet.Core;
using RetinaNet.Core.Layers;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Layers;

/// <summary>
/// <see cref="DTypePolicy.MixedBFloat16"/>: the kernel layers multiply in bfloat16 and hand back fp32; the policy is a
/// model-level run-time setting that configs and files never see.
/// </summary>
public class MixedPrecisionTests
{
    static bool Same(Tensor a, Tensor b) => a.equal(b).all().item<bool>();

    static IEnumerable<TestCaseData> KernelLayers()
    {
        yield return new TestCaseData(new Func<Layer>(() => new Conv2D(24, 3, strides: 2, padding: "same", use_bias: false)), new long[] { 2, 13, 11, 16 })
            .SetName("Conv2D 3x3 stride 2, same (padded explicitly)");
        yield return new TestCaseData(new Func<Layer>(() => new Conv2D(24, 3, padding: "same", use_bias: false)), new long[] { 1, 12, 12, 8 })
            .SetName("Conv2D 3x3 same");
        yield return new TestCaseData(new Func<Layer>(() => new Conv2D(24, 1, strides: 2, use_bias: false)), new long[] { 1, 9, 9, 16 })
            .SetName("Conv2D 1x1 stride 2 (matrix product)");
        yield return new TestCaseData(new Func<Layer>(() => new DepthwiseConv2D(3, padding: "same", use_bias: false)), new long[] { 1, 10, 10, 16 })
            .SetName("DepthwiseConv2D");
        yield return new TestCaseData(new Func<Layer>(() => new DepthwiseConv2D(3, depth_multiplier: 2, use_bias: false)), new long[] { 1, 10, 10, 8 })
            .SetName("DepthwiseConv2D multiplier 2");
        yield return new TestCaseData(new Func<Layer>(() => new Dense(24, use_bias: false)), new long[] { 5, 40 })
            .SetName("Dense");
    }

    [TestCaseSource(nameof(KernelLayers))]
    public void MixedBFloat16_KernelLayer_ReturnsFloat32RoundedToBFloat16_CloseToFloat32(Func<Layer> make, long[] shape)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var layer = make();
        var x = randn(shape);
        var fp32 = layer.Apply(x);
        layer.dtype_policy = DTypePolicy.MixedBFloat16;
        var mixed = layer.Apply(x);

        Assert.That(layer.compute_dtype, Is.EqualTo("bfloat16"));
        Assert.That(mixed.dtype, Is.EqualTo(ScalarType.Float32));
        Assert.That(mixed.shape, Is.EqualTo(fp32.shape));
        // Without bias or activation the result is the bfloat16 product itself, widened: every value is a bfloat16.
        Assert.That(Same(mixed, mixed.to(ScalarType.BFloat16).to(ScalarType.Float32)), Is.True, "values are bfloat16 values");
        Assert.That(Same(mixed, fp32), Is.False, "computed in bfloat16, not fp32");
        // bfloat16 keeps 8 significant bits: operands and result off by 2^-9 relative each.
        var error = (mixed - fp32).abs().max().item<float>();
        var scale = fp32.abs().max().item<float>();
        Assert.That(error, Is.LessThanOrEqualTo(scale * 0.02), $"max error {error} at scale {scale}");
    }

    [Test]
    public void MixedBFloat16_BiasAndActivation_StayInTheLayer_AndFloat32PolicyIsBitForBitUnchanged()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var conv = new Conv2D(8, 3, padding: "same", activation: "sigmoid", bias_initializer: "ones");
        var x = randn(1, 6, 6, 4);
        var before = conv.Apply(x);
        conv.dtype_policy = DTypePolicy.MixedBFloat16;
        var mixed = conv.Apply(x);
        conv.dtype_policy = DTypePolicy.Float32;
        var after = conv.Apply(x);

        Assert.That(Same(after, before), Is.True, "fp32 again gives exactly the fp32 result");
        Assert.That((mixed - before).abs().max().item<float>(), Is.LessThan(0.01f));
    }

    [Test]
    public void DTypePolicy_SetOnAModel_ReachesEveryLayerOfNestedModels_AndNeverReachesTheFile()
    {
        using var scope = NewDisposeScope();
        var innerInput = keras.Input(new Shape(8, 8, 3));
        var inner = keras.Model(innerInput, new Conv2D(4, 3, name: "inner_conv").Apply(innerInput), name: "inner");
        var input = keras.Input(new Shape(8, 8, 3));
        var outer = keras.Model(input, new Dense(2, name: "dense").Apply(new Flatten().Apply(inner.Apply(input))));

        outer.dtype_policy = DTypePolicy.Get("mixed_bfloat16");

        Assert.That(outer.layers.Concat(inner.layers).Select(l => l.dtype_policy.name), Is.All.EqualTo("mixed_bfloat16"));
        Assert.That(outer.get_layer("dense").get_config()["dtype"]!.GetValue<string>(), Is.EqualTo("float32"));
        var path = Path.Combine(Path.GetTempPath(), $"mixed-{Guid.NewGuid():N}.h5");
        try
        {
            outer.save(path);
            var loaded = keras.models.load_model(path, compile: false);
            Assert.That(loaded.layers.Select(l => l.dtype_policy), Is.All.SameAs(DTypePolicy.Float32));
            Assert.That(loaded.weights.Select(w => w.value.dtype), Is.All.EqualTo(ScalarType.Float32));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void MixedBFloat16_Training_KeepsFloat32WeightsAndOptimizerState_AndFollowsTheFloat32Gradient()
    {
        Tensor Step(DTypePolicy policy)
        {
            manual_seed(5);
            var input = keras.Input(new Shape(6, 6, 3));
            var hidden = new Conv2D(8, 3, padding: "same", activation: "relu").Apply(input);
            var model = keras.Model(input, new Dense(2).Apply(new Flatten().Apply(hidden)));
            model.dtype_policy = policy;
            model.compile(new SGD(learning_rate: 0.1, momentum: 0.9), "mse");
            var before = model.get_weights();
            using var x = randn(4, 6, 6, 3);
            using var y = randn(4, 2);
            model.train_on_batch(x, y);
            Assert.That(model.weights.Select(w => w.value.dtype), Is.All.EqualTo(ScalarType.Float32));
            // The update the step made, all weights flattened.
            return cat(model.get_weights().Zip(before, (a, b) => (a - b).flatten()).ToArray());
        }

        using var scope = NewDisposeScope();
        var fp32 = Step(DTypePolicy.Float32);
        var mixed = Step(DTypePolicy.MixedBFloat16);
        Assert.That(mixed.abs().sum().item<float>(), Is.GreaterThan(0f), "the weights moved");
        var cosine = (fp32 * mixed).sum().item<float>() / (fp32.norm().item<float>() * mixed.norm().item<float>());
        Assert.That(cosine, Is.GreaterThan(0.999f), "the bf16 step points where the fp32 step does");
        Assert.That(Same(mixed, fp32), Is.False, "the step was computed in bfloat16");
    }

    [TestCase("flags\t\t: fpu vme avx512f avx512_bf16 avx512_vnni\n", true)]
    [TestCase("flags\t\t: fpu amx_bf16 amx_tile avx512f\n", true)]
    [TestCase("Features\t: fp asimd evtstrm aes bf16 i8mm\n", true)]
    [TestCase("flags\t\t: fpu vme avx2 avx512f avx512bw\n", false)]
    [TestCase("", false)]
    public void CpuInfo_FastBFloat16_ComesFromTheBf16Flags(string cpuinfo, bool fast)
    {
        var (found, reason) = BFloat16Support.FromCpuInfo(cpuinfo);
        Assert.That(found, Is.EqualTo(fast), reason);
    }

    [Test]
    public void Bf16_OnAMachineWithoutFastBFloat16_RunsFloat32_WarningAtMostOnce()
    {
        var warnings = new List<string>();
        Assert.That(BFloat16Support.Resolve("bf16", fast: false, warnings.Add), Is.SameAs(DTypePolicy.Float32));
        Assert.That(BFloat16Support.Resolve("bf16", fast: false, warnings.Add), Is.SameAs(DTypePolicy.Float32));
        Assert.That(warnings.Count, Is.LessThanOrEqualTo(1));
        Assert.That(warnings, Is.All.Contains("running fp32"));
        Assert.That(BFloat16Support.Resolve("bf16", fast: true), Is.SameAs(DTypePolicy.MixedBFloat16));
        Assert.That(BFloat16Support.Resolve("fp32", fast: true), Is.SameAs(DTypePolicy.Float32));
        Assert.Throws<ArgumentException>(() => BFloat16Support.Resolve("fp16", fast: true));
    }
}
