using System.Text.Json.Nodes;

namespace RetinaNet.Tests.Notebooks;

/// <summary>Committed notebooks carry no outputs, so nothing stale is shown before a cell is run.</summary>
public class NotebookOutputTests
{
    public static IEnumerable<TestCaseData> Notebooks() => NotebookTests.Notebooks();

    [TestCaseSource(nameof(Notebooks))]
    public void CommittedNotebook_HasNoOutputsOrExecutionCounts(string fileName)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(NotebookFiles.Folder, fileName)))!;
        var cells = json["cells"]!.AsArray();
        var stale = new List<string>();
        for (int i = 0; i < cells.Count; i++)
        {
            var cell = cells[i]!;
            if ((string?)cell["cell_type"] != "code") continue;
            var outputs = cell["outputs"]?.AsArray().Count ?? 0;
            var count = cell["execution_count"];
            if (outputs > 0 || count is not null)
                stale.Add($"cell {i + 1}: {outputs} output(s), execution_count {count?.ToJsonString() ?? "null"}");
        }
        Assert.That(stale, Is.Empty,
            $"{fileName} was saved with outputs; clear them (Polyglot Notebooks: \"Clear All Outputs\") before committing.");
    }
}
