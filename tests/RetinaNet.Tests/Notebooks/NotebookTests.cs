using System.Diagnostics;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;

namespace RetinaNet.Tests.Notebooks;

/// <summary>
/// Runs every notebook in <c>notebooks/</c> headlessly: its C# cells in order, in a .NET Interactive C# kernel in
/// this process, with the working directory set to <c>notebooks/</c> as in VS Code. The notebooks reference the
/// published libraries (<c>artifacts/notebook/</c>), so the fixture publishes them once first.
/// </summary>
[NonParallelizable] // the kernels run with the process' working directory and environment changed
public class NotebookTests
{
    /// <summary>Read by notebooks that train: their time budget, kept small under test.</summary>
    public const string BudgetVariable = "RETINANET_NOTEBOOK_BUDGET_SECONDS";
    const string BudgetUnderTest = "20";
    static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(8);

    string? previousBudget;

    /// <summary>The notebooks, by file name, in name order.</summary>
    public static IEnumerable<TestCaseData> Notebooks() =>
        Directory.EnumerateFiles(NotebookFiles.Folder, "*.ipynb").Order(StringComparer.Ordinal)
            .Select(path => new TestCaseData(Path.GetFileName(path)).SetArgDisplayNames(Path.GetFileName(path)));

    [OneTimeSetUp]
    public void PublishLibrariesAndSetBudget()
    {
        Publish();
        previousBudget = Environment.GetEnvironmentVariable(BudgetVariable);
        Environment.SetEnvironmentVariable(BudgetVariable, BudgetUnderTest);
    }

    [OneTimeTearDown]
    public void RestoreBudget() => Environment.SetEnvironmentVariable(BudgetVariable, previousBudget);

    [TestCaseSource(nameof(Notebooks))]
    public async Task Notebook_RunsEveryCellWithoutError(string fileName)
    {
        var path = Path.Combine(NotebookFiles.Folder, fileName);
        var document = Notebook.Parse(await File.ReadAllTextAsync(path), NotebookFiles.Kernels);
        var previousDirectory = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(NotebookFiles.Folder);
        try
        {
            using var kernel = new CSharpKernel().UseKernelHelpers().UseValueSharing();
            for (int i = 0; i < document.Elements.Count; i++)
            {
                var cell = document.Elements[i];
                if (cell.KernelName == "markdown") continue;
                var where = $"{fileName}, cell {i + 1} ({FirstLine(cell.Contents)})";
                Assert.That(cell.KernelName, Is.EqualTo("csharp"), $"{where}: only C# cells are run by this test.");
                var watch = Stopwatch.StartNew();
                var result = await kernel.SendAsync(new SubmitCode(cell.Contents));
                TestContext.Out.WriteLine($"{where}: {watch.Elapsed.TotalSeconds:F1} s");
                foreach (var text in result.Events.OfType<StandardOutputValueProduced>())
                    TestContext.Out.Write(text.FormattedValues.FirstOrDefault()?.Value);
                var failure = result.Events.OfType<CommandFailed>().FirstOrDefault();
                if (failure is not null)
                    Assert.Fail($"{where} failed:\n{failure.Message}");
            }
        }
        finally
        {
            Directory.SetCurrentDirectory(previousDirectory);
        }
    }

    static string FirstLine(string source) =>
        source.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "(empty)";

    /// <summary>
    /// <c>dotnet publish src/RetinaNet.Train -c Release -o artifacts/notebook</c>: the notebooks' <c>#r</c> target.
    /// A publish folder holds every assembly the notebooks reference and, beside them, the native libraries of
    /// TorchSharp and SkiaSharp, where they are found when a notebook kernel loads the assemblies.
    /// </summary>
    static void Publish()
    {
        var root = NotebookFiles.RepositoryRoot;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "publish", Path.Combine("src", "RetinaNet.Train", "RetinaNet.Train.csproj"), "-c", "Release",
                     "-o", NotebookFiles.PublishFolder, "--nologo", "-nodeReuse:false",
                 })
            start.ArgumentList.Add(arg);

        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        var command = "dotnet " + string.Join(' ', start.ArgumentList);
        try
        {
            process.Start();
        }
        catch (Exception e)
        {
            Assert.Fail($"Could not start `{command}` in {root}: {e.Message}");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(PublishTimeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"`{command}` did not finish within {PublishTimeout.TotalMinutes} minutes.\n{Tail(output)}");
        }
        process.WaitForExit(); // drains the asynchronous output readers
        if (process.ExitCode != 0)
            Assert.Fail($"The notebooks need the libraries published, but `{command}` (in {root}) failed " +
                        $"with exit code {process.ExitCode}:\n{Tail(output)}");
    }

    static string Tail(IEnumerable<string> lines) => string.Join('\n', lines.TakeLast(40));
}
