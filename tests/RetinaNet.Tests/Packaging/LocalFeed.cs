using RetinaNet.Tests.Notebooks;

namespace RetinaNet.Tests.Packaging;

/// <summary>
/// A temporary folder feed holding our packages, packed from this checkout with a version used by no other run
/// (<c>0.1.0-test.&lt;guid&gt;</c>), so a copy left in the global packages folder by an earlier run can never be picked
/// up. <see cref="Dispose"/> deletes the feed and this version's folders in the global packages folder.
/// </summary>
public sealed class LocalFeed : IDisposable
{
    public LocalFeed(string name)
    {
        Root = Directory.CreateTempSubdirectory(name).FullName;
        Folder = Path.Combine(Root, "feed");
        Directory.CreateDirectory(Folder);
        VersionSuffix = "test." + Guid.NewGuid().ToString("N")[..12];
    }

    /// <summary>A scratch folder for this fixture; the feed is <see cref="Folder"/> inside it.</summary>
    public string Root { get; }

    /// <summary>The folder feed the packages are written to.</summary>
    public string Folder { get; }

    /// <summary>The prerelease label of this run's packages.</summary>
    public string VersionSuffix { get; }

    /// <summary>The packages' version: the repository's version prefix and <see cref="VersionSuffix"/>.</summary>
    public string Version => $"0.1.0-{VersionSuffix}";

    static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(12);

    /// <summary><c>dotnet pack PROJECT -c Release -o FEED -p:VersionSuffix=…</c> plus <paramref name="extra"/>.</summary>
    public void Pack(string project, params string[] extra) =>
        DotnetCommand.Succeed(NotebookFiles.RepositoryRoot, PackTimeout,
            new[] { "pack", project, "-c", "Release", "-o", Folder, $"-p:VersionSuffix={VersionSuffix}", "--nologo", "-v", "q" }
                .Concat(extra).ToArray());

    /// <summary>
    /// Writes a nuget.config into <paramref name="folder"/> that adds this feed to the sources the machine's dotnet
    /// already uses (no &lt;clear/&gt;, so the user-level nuget.org source is inherited).
    /// </summary>
    public void WriteNuGetConfig(string folder) =>
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="retinanet-local-test-feed" value="{Folder}" />
              </packageSources>
            </configuration>
            """);

    /// <summary>The size of a package in the feed, in bytes.</summary>
    public long SizeOf(string fileName) => new FileInfo(Path.Combine(Folder, fileName)).Length;

    public void Dispose()
    {
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "retinanet.core", "retinanet.layers", "retinanet.train", "retinanet", $"retinanet.{System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier}" })
        {
            var cached = Path.Combine(globalPackages, id, Version);
            if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
        }
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
