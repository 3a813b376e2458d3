using Microsoft.DotNet.Interactive.Documents;

namespace RetinaNet.Tests.Notebooks;

/// <summary>Where the notebooks and their published libraries are, found from the test assembly's folder.</summary>
static class NotebookFiles
{
    /// <summary>The folder holding <c>RetinaNet.sln</c>.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary><c>notebooks/</c>, also the working directory of a notebook's kernel.</summary>
    public static string Folder => Path.Combine(RepositoryRoot, "notebooks");

    /// <summary><c>artifacts/notebook/</c>, the publish folder that the notebooks reference.</summary>
    public static string PublishFolder => Path.Combine(RepositoryRoot, "artifacts", "notebook");

    /// <summary>The kernels a Polyglot Notebook of ours may name.</summary>
    public static KernelInfoCollection Kernels => new()
    {
        new KernelInfo("csharp", languageName: "C#", aliases: new[] { "c#", "C#" }),
        new KernelInfo("markdown", languageName: "Markdown", aliases: new[] { "md" }),
    };

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RetinaNet.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} holds RetinaNet.sln.");
    }
}
