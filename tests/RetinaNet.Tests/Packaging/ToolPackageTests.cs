using System.Runtime.InteropServices;
using RetinaNet.Core;
using RetinaNet.Layers;
using RetinaNet.Tests.Train.Cli;

namespace RetinaNet.Tests.Packaging;

/// <summary>
/// The <c>retinanet</c> .NET tool: packed (the RID-specific package for this machine and the pointer package),
/// installed from the folder feed with <c>dotnet tool install --tool-path</c>, and run: <c>--version</c>,
/// <c>inspect</c> and a two-step <c>train</c>.
/// </summary>
[NonParallelizable]
public class ToolPackageTests
{
    static readonly TimeSpan Step = TimeSpan.FromMinutes(8);
    static string Rid => RuntimeInformation.RuntimeIdentifier;
    LocalFeed feed = null!;
    string tool = null!;

    [OneTimeSetUp]
    public void PackAndInstall()
    {
        feed = new LocalFeed("tool");
        feed.Pack("src/RetinaNet.Tool/RetinaNet.Tool.csproj", $"-p:ToolPackageRuntimeIdentifiers={Rid}");
        TestContext.Out.WriteLine($"retinanet.nupkg: {feed.SizeOf($"retinanet.{feed.Version}.nupkg"):N0} bytes; " +
                                  $"retinanet.{Rid}.nupkg: {feed.SizeOf($"retinanet.{Rid}.{feed.Version}.nupkg"):N0} bytes");
        var tools = Path.Combine(feed.Root, "tools");
        feed.WriteNuGetConfig(feed.Root);
        DotnetCommand.Succeed(feed.Root, Step, "tool", "install", "retinanet", "--tool-path", tools, "--version", feed.Version);
        tool = Path.Combine(tools, OperatingSystem.IsWindows() ? "retinanet.exe" : "retinanet");
    }

    [OneTimeTearDown]
    public void Uninstall() => feed?.Dispose();

    [Test]
    public void ToolPackages_AreAPointerPackageAndOneForThisPlatform()
    {
        Assert.That(feed.SizeOf($"retinanet.{feed.Version}.nupkg"), Is.LessThan(100_000), "the pointer package carries no binaries");
        Assert.That(File.Exists(Path.Combine(feed.Folder, $"retinanet.{Rid}.{feed.Version}.nupkg")), Is.True);
    }

    [Test]
    public void Version_PrintsThePackageVersion()
    {
        var output = DotnetCommand.SucceedProgram(tool, feed.Root, Step, "--version");
        Assert.That(output.Trim(), Does.StartWith(feed.Version));
    }

    [Test]
    public void Inspect_DescribesAKerasRetinanetFile()
    {
        keras.backend.clear_session();
        var model = Path.Combine(feed.Root, "tiny.h5");
        models.backbone("resnet18_8").retinanet(num_classes: 2, options: new RetinaNetOptions { feature_size = 8, head_feature_size = 8 }).save(model);
        var output = DotnetCommand.SucceedProgram(tool, feed.Root, Step, "inspect", model);
        Assert.That(output, Does.Contain("RetinaNet training model").And.Contain("UpsampleLike"));
    }

    [Test]
    public void Train_RunsTwoStepsOnACsvDataset_AndSavesASnapshot()
    {
        var (annotations, classes) = TinyDatasets.Csv(Path.Combine(feed.Root, "data"));
        var snapshots = Path.Combine(feed.Root, "snapshots");
        var output = DotnetCommand.SucceedProgram(tool, feed.Root, Step, "train", "csv", annotations, classes,
            "--backbone", "resnet18_8", "--feature-size", "16", "--image-min-side", "96", "--image-max-side", "96",
            "--batch-size", "2", "--epochs", "1", "--steps", "2", "--no-evaluation", "--snapshot-path", snapshots);
        Assert.That(File.Exists(Path.Combine(snapshots, "resnet18_8_csv_01.h5")), Is.True, output);
    }
}
