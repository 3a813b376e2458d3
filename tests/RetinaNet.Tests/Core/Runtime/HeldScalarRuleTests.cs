using RetinaNet.Core;

namespace RetinaNet.Tests.Core.Runtime;

/// <summary>
/// Enforces <see cref="HeldScalar"/>'s rule on the compiled product: no call in RetinaNet.Core, RetinaNet.Layers or
/// RetinaNet.Train may hand TorchSharp a Scalar that nothing holds (a finalizer can free it while libtorch reads it).
/// </summary>
public class HeldScalarRuleTests
{
    /// <summary>
    /// Sites proven safe, as "Owner type::member" (the owner is the type that wrote the code; lambdas count as their
    /// method) → the reason. Keep it short: fixing a site is better than listing it.
    /// </summary>
    static readonly Dictionary<string, string> AllowList = new()
    {
        ["RetinaNet.Core.HeldScalar::Of"] =
            "the Scalar created here is stored in a static dictionary for the whole process: that is what holds it",
        ["RetinaNet.Core.HeldScalar::OfInteger"] =
            "the Scalar created here is stored in a static dictionary for the whole process: that is what holds it",
    };

    static readonly Lazy<UnheldScalarScanner> Scanner =
        new(() => new UnheldScalarScanner(typeof(TorchSharp.torch).Assembly.Location));

    static readonly string[] ProductAssemblies =
    {
        typeof(HeldScalar).Assembly.Location,
        typeof(RetinaNet.Layers.CustomObjects).Assembly.Location,
        typeof(RetinaNet.Train.Cli.CliErrors).Assembly.Location,
    };

    static IEnumerable<UnheldScalarSite> AllSites() => ProductAssemblies.SelectMany(path => Scanner.Value.Scan(path));

    [Test]
    public void ProductCode_PassesTorchSharpOnlyHeldScalars()
    {
        var offending = AllSites().Where(s => !AllowList.ContainsKey($"{s.Owner}::{s.Member}")).ToList();
        Assert.That(offending, Is.Empty, () =>
            $"{offending.Count} call(s) hand TorchSharp a Scalar that nothing holds; the GC finalizer can free it while " +
            "libtorch reads it (native crash or wrong numbers, see HeldScalar's remarks). Use HeldScalar.One / " +
            "HeldScalar.Of(constant), or a `using var s = value.ToScalar();` local passed explicitly:\n  " +
            string.Join("\n  ", offending));
    }

    [Test]
    public void AllowList_NamesOnlySitesThatExist()
    {
        var flagged = AllSites().Select(s => $"{s.Owner}::{s.Member}").ToHashSet();
        var stale = AllowList.Keys.Where(k => !flagged.Contains(k)).ToList();
        Assert.That(stale, Is.Empty, () => "Allow-list entries that match no flagged site (renamed or fixed: update or " +
            "remove them): " + string.Join(", ", stale));
    }

    /// <summary>The scanner itself must see the cases the rule is about, or an empty result proves nothing.</summary>
    [TestCase("TorchSharp.torch/Tensor::op_Addition(TorchSharp.torch/Tensor,TorchSharp.torch/Tensor)")]
    [TestCase("TorchSharp.torch/Tensor::op_Multiply(TorchSharp.torch/Tensor,System.Double)")]
    [TestCase("TorchSharp.torch/Tensor::op_Subtraction(System.Double,TorchSharp.torch/Tensor)")]
    [TestCase("TorchSharp.torch/Tensor::add(TorchSharp.torch/Tensor)")]
    [TestCase("TorchSharp.torch/Tensor::add_(TorchSharp.torch/Tensor)")]
    public void Scanner_KnowsTorchSharpMembersThatCreateScalars(string member)
    {
        Assert.That(Scanner.Value.Creators.Keys, Does.Contain(member));
    }

    [TestCase("TorchSharp.torch/Tensor::add(TorchSharp.torch/Tensor,TorchSharp.Scalar)")]
    [TestCase("TorchSharp.torch/Tensor::mul(TorchSharp.torch/Tensor)")]
    // TorchSharp 0.107's sub(Tensor) passes no alpha: libtorch's C++ side supplies it, so Tensor - Tensor is safe.
    [TestCase("TorchSharp.torch/Tensor::op_Subtraction(TorchSharp.torch/Tensor,TorchSharp.torch/Tensor)")]
    [TestCase("TorchSharp.torch/Tensor::sub_(TorchSharp.torch/Tensor)")]
    [TestCase("TorchSharp.torch/Tensor::mul(TorchSharp.Scalar)")]
    public void Scanner_DoesNotFlagMembersThatTakeTheScalarGiven(string member)
    {
        Assert.That(Scanner.Value.Creators.Keys, Does.Not.Contain(member));
    }

    [Test]
    public void Scanner_FlagsImplicitConversionsAndUndisposedToScalar_ButNotUsingLocals()
    {
        var sites = Scanner.Value.Scan(typeof(ScalarRuleSamples).Assembly.Location)
            .Where(s => s.Owner == typeof(ScalarRuleSamples).FullName).ToList();
        var members = sites.Select(s => s.Member).ToHashSet();
        Assert.That(members, Is.EquivalentTo(new[]
        {
            nameof(ScalarRuleSamples.OneMinus), nameof(ScalarRuleSamples.TimesTwo), nameof(ScalarRuleSamples.Sum),
            nameof(ScalarRuleSamples.AddWithoutAlpha), nameof(ScalarRuleSamples.UndisposedToScalar),
            nameof(ScalarRuleSamples.ImplicitInLambda),
        }));
        Assert.That(sites.First(s => s.Member == nameof(ScalarRuleSamples.Sum)).Instead, Does.Contain("HeldScalar.One"));
        Assert.That(sites.All(s => s.Source is not null), "the test assembly has a PDB, so every site has a source line");
    }
}
