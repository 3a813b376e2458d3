using System.Text.RegularExpressions;
using RetinaNet.Tests.Notebooks;

namespace RetinaNet.Tests.Packaging;

/// <summary>
/// The C# code blocks of README.md that a marker comment on the line before names, so tests run the README's code
/// itself: <c>&lt;!-- snippet: package-test --&gt;</c> (compiled and run in a fresh project that uses the packages) and
/// <c>&lt;!-- excerpt: samples/X.cs --&gt;</c> (lines of a sample, which the sample tests run).
/// </summary>
public static partial class ReadmeSnippets
{
    public static string ReadmePath => Path.Combine(NotebookFiles.RepositoryRoot, "README.md");

    /// <summary>The code of each C# block marked <c>&lt;!-- {marker} --&gt;</c>, in README order.</summary>
    public static List<string> Marked(string marker)
    {
        var readme = File.ReadAllText(ReadmePath).ReplaceLineEndings("\n");
        return Block().Matches(readme).Where(m => m.Groups["marker"].Value.Trim() == marker)
            .Select(m => m.Groups["code"].Value).ToList();
    }

    /// <summary>Every marker of the form <c>excerpt: PATH</c> with its block.</summary>
    public static List<(string path, string code)> Excerpts()
    {
        var readme = File.ReadAllText(ReadmePath).ReplaceLineEndings("\n");
        return Block().Matches(readme).Select(m => m.Groups["marker"].Value.Trim())
            .Where(marker => marker.StartsWith("excerpt: ", StringComparison.Ordinal)).Distinct()
            .Select(marker => (marker["excerpt: ".Length..], string.Join("\n", Marked(marker)))).ToList();
    }

    /// <summary>
    /// One C# program made of snippets: their using directives first (once each), then each block of statements in
    /// its own scope (so blocks may reuse names), then the blocks that declare types.
    /// </summary>
    public static string Program(IEnumerable<string> snippets)
    {
        var usings = new List<string>();
        var statements = new List<string>();
        var declarations = new List<string>();
        foreach (var snippet in snippets)
        {
            var lines = snippet.Split('\n');
            usings.AddRange(lines.Where(IsUsingDirective).Select(l => l.Trim()));
            var body = string.Join('\n', lines.Where(l => !IsUsingDirective(l)));
            if (lines.Any(l => TypeDeclaration().IsMatch(l))) declarations.Add(body);
            else statements.Add("{\n" + body + "\n}");
        }
        return string.Join('\n', usings.Distinct()) + "\n\n" + string.Join("\n\n", statements) + "\n\n" + string.Join("\n\n", declarations) + "\n";
    }

    static bool IsUsingDirective(string line)
    {
        var t = line.Trim();
        return t.StartsWith("using ", StringComparison.Ordinal) && t.EndsWith(';') && !t.StartsWith("using var ", StringComparison.Ordinal)
            && !t.Contains('(');
    }

    [GeneratedRegex(@"<!--(?<marker>[^>]*)-->\s*\n```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex Block();

    [GeneratedRegex(@"^(public |internal )?(sealed |abstract )?(class|record|struct|interface) ")]
    private static partial Regex TypeDeclaration();
}
