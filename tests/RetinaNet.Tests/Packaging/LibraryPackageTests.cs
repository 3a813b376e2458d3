using System.IO.Compression;
using System.Xml.Linq;
using RetinaNet.Core;
using RetinaNet.Layers;

namespace RetinaNet.Tests.Packaging;

/// <summary>
/// RetinaNet.Core, RetinaNet.Layers and RetinaNet.Train as NuGet packages, used the way a new user would: packed into
/// a folder feed, added to a fresh <c>dotnet new console</c> project with <c>dotnet add package</c> and nothing else,
/// running the README's code. Also restored and built for Windows and macOS runtime identifiers.
/// </summary>
[NonParallelizable]
public class LibraryPackageTests
{
    static readonly TimeSpan Step = TimeSpan.FromMinutes(8);
    static readonly string[] Ids = { "RetinaNet.Core", "RetinaNet.Layers", "RetinaNet.Train", "RetinaNet.Onnx" };
    LocalFeed feed = null!;

    [OneTimeSetUp]
    public void PackTheLibraries()
    {
        feed = new LocalFeed("packages");
        feed.Pack("src/RetinaNet.Train/RetinaNet.Train.csproj");   // builds Core, Layers and Onnx as well
        feed.Pack("src/RetinaNet.Onnx/RetinaNet.Onnx.csproj", "--no-build");
        feed.Pack("src/RetinaNet.Layers/RetinaNet.Layers.csproj", "--no-build");
        feed.Pack("src/RetinaNet.Core/RetinaNet.Core.csproj", "--no-build");
        foreach (var id in Ids)
            TestContext.Out.WriteLine($"{id}.nupkg: {feed.SizeOf($"{id}.{feed.Version}.nupkg"):N0} bytes, " +
                                      $".snupkg: {feed.SizeOf($"{id}.{feed.Version}.snupkg"):N0} bytes");
    }

    [OneTimeTearDown]
    public void RemoveTheFeed() => feed?.Dispose();

    [TestCaseSource(nameof(Ids))]
    public void Package_CarriesReadmeLicenceXmlDocsRepositoryAndSymbols(string id)
    {
        using var package = ZipFile.OpenRead(Path.Combine(feed.Folder, $"{id}.{feed.Version}.nupkg"));
        var files = package.Entries.Select(e => e.FullName).ToList();
        var assembly = id == "RetinaNet.Train" ? "retinanet" : id;
        Assert.That(files, Does.Contain("README.md").And.Contain("LICENSE")
            .And.Contain($"lib/net10.0/{assembly}.dll").And.Contain($"lib/net10.0/{assembly}.xml"));

        XNamespace ns = "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd";
        using var nuspecStream = package.GetEntry($"{id}.nuspec")!.Open();
        var metadata = XDocument.Load(nuspecStream).Root!.Element(ns + "metadata")!;
        Assert.That(metadata.Element(ns + "version")!.Value, Is.EqualTo(feed.Version));
        Assert.That(metadata.Element(ns + "license")!.Value, Is.EqualTo("MIT"));
        Assert.That(metadata.Element(ns + "readme")!.Value, Is.EqualTo("README.md"));
        var repository = metadata.Element(ns + "repository");
        Assert.That(repository?.Attribute("commit")?.Value, Does.Match("^[0-9a-f]{40}$"), "the commit the package was built from");

        using var symbols = ZipFile.OpenRead(Path.Combine(feed.Folder, $"{id}.{feed.Version}.snupkg"));
        Assert.That(symbols.Entries.Select(e => e.FullName), Does.Contain($"lib/net10.0/{assembly}.pdb"));
    }

    [Test]
    public void CorePackage_ShipsTheLibTorchLoadFixAsBuildTransitiveTargets()
    {
        using var package = ZipFile.OpenRead(Path.Combine(feed.Folder, $"RetinaNet.Core.{feed.Version}.nupkg"));
        Assert.That(package.Entries.Select(e => e.FullName), Is.SupersetOf(new[]
        {
            "buildTransitive/RetinaNet.Core.targets",
            "buildTransitive/WeakenGlibcxx.targets", "buildTransitive/WeakenElfVersionRequirement.cs",
        }));
    }

    [Test]
    public void FreshConsoleProject_WithOnlyDotnetAddPackage_RunsTheReadmeSnippets()
    {
        var snippets = ReadmeSnippets.Marked("snippet: package-test");
        Assert.That(snippets, Has.Count.GreaterThanOrEqualTo(3), "README.md marks its loading and custom-layer snippets for this test");
        var app = NewConsoleProject("readme");
        DotnetCommand.Succeed(app, Step, "add", "package", "RetinaNet.Layers", "--version", feed.Version);
        File.WriteAllText(Path.Combine(app, "Program.cs"), ReadmeSnippets.Program(snippets));

        // The keras-retinanet training model the README loads, made small.
        keras.backend.clear_session();
        models.backbone("resnet18_8").retinanet(num_classes: 2, options: new RetinaNetOptions { feature_size = 8, head_feature_size = 8 })
            .save(Path.Combine(app, "resnet50_csv_10.h5"));

        DotnetCommand.Succeed(app, Step, "build", "--nologo", "-v", "q");
        var output = DotnetCommand.Succeed(app, Step, "run", "--no-build");
        Assert.That(output, Does.Contain("boxes (1, 300, 4), scores (1, 300), labels (1, 300)"));
        Assert.That(output, Does.Contain("Unknown layer: 'Scale'"), "load_model without custom_objects explains what is missing");
        Assert.That(output, Does.Contain("same predictions after loading: True"));
    }

    [TestCase("win-x64", "LibTorchSharp.dll", "torch_cpu.dll")]
    [TestCase("osx-arm64", "libLibTorchSharp.dylib", "libtorch_cpu.dylib")]
    public void ProjectForAnotherPlatform_RestoresAndBuildsWithThatPlatformsLibTorch(string rid, string torchSharpNative, string libtorch)
    {
        var app = NewConsoleProject(rid);
        var project = Path.Combine(app, Path.GetFileName(app) + ".csproj");
        File.WriteAllText(project, File.ReadAllText(project)
            .Replace("</TargetFramework>", $"</TargetFramework>\n    <RuntimeIdentifier>{rid}</RuntimeIdentifier>"));
        DotnetCommand.Succeed(app, Step, "add", "package", "RetinaNet.Train", "--version", feed.Version);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using RetinaNet.Layers;
            Console.WriteLine(string.Join(", ", CustomObjects.WithResNet().Keys));
            """);
        DotnetCommand.Succeed(app, Step, "build", "--nologo", "-v", "q");
        var output = Path.Combine(app, "bin", "Debug", "net10.0", rid);
        Assert.That(File.Exists(Path.Combine(output, torchSharpNative)), Is.True, $"{torchSharpNative} in {output}");
        Assert.That(File.Exists(Path.Combine(output, libtorch)), Is.True, $"{libtorch} in {output}");
        Assert.That(File.Exists(Path.Combine(output, "RetinaNet.Layers.dll")), Is.True);
    }

    /// <summary><c>dotnet new console</c> in a new folder under the fixture's root, beside its nuget.config.</summary>
    string NewConsoleProject(string name)
    {
        var parent = Path.Combine(feed.Root, name);
        Directory.CreateDirectory(parent);
        feed.WriteNuGetConfig(parent);
        var app = Path.Combine(parent, "app");
        DotnetCommand.Succeed(parent, Step, "new", "console", "--framework", "net10.0", "-o", app);
        return app;
    }
}
