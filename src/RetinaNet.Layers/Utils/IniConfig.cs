namespace RetinaNet.Layers.Utils;

/// <summary>
/// An INI file read the way Python's <c>configparser</c> reads keras-retinanet's <c>--config</c> files:
/// <c>[section]</c> headers (case-sensitive), <c>key = value</c> or <c>key: value</c> options (keys lower-cased,
/// values trimmed), whole-line <c>#</c> / <c>;</c> comments, and indented continuation lines.
/// </summary>
public sealed class IniConfig
{
    readonly Dictionary<string, Dictionary<string, string>> sections = new();

    IniConfig() { }

    /// <summary>The section names, in file order.</summary>
    public IEnumerable<string> Sections => sections.Keys;

    /// <summary>True when the file has the section.</summary>
    public bool HasSection(string section) => sections.ContainsKey(section);

    /// <summary>The options of a section (keys lower-cased).</summary>
    public IReadOnlyDictionary<string, string> this[string section] =>
        sections.TryGetValue(section, out var options) ? options : throw new KeyNotFoundException($"No section: '{section}'");

    /// <summary>Reads a file.</summary>
    public static IniConfig Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Parses INI text; <paramref name="source"/> names it in errors.</summary>
    public static IniConfig Parse(string text, string source = "<string>")
    {
        var config = new IniConfig();
        Dictionary<string, string>? current = null;
        string? lastKey = null;
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var raw = lines[i].TrimEnd('\r', ' ', '\t');
            var value = raw.Trim();
            if (value.Length == 0 || value[0] is '#' or ';') continue;
            bool indented = char.IsWhiteSpace(raw[0]);
            if (indented && current is not null && lastKey is not null)
            {
                current[lastKey] += "\n" + value;
                continue;
            }
            if (value[0] == '[' && value[^1] == ']' && value.Length > 2)
            {
                var name = value[1..^1];
                if (config.sections.ContainsKey(name))
                    throw new FormatException($"While reading from '{source}' [line {i + 1}]: section '{name}' already exists");
                current = config.sections[name] = new Dictionary<string, string>();
                lastKey = null;
                continue;
            }
            if (current is null)
                throw new FormatException($"File contains no section headers.\nfile: '{source}', line: {i + 1}\n'{raw}'");
            var separator = value.IndexOfAny(new[] { '=', ':' });
            if (separator <= 0)
                throw new FormatException($"Source contains parsing errors: '{source}'\n\t[line {i + 1}]: '{raw}'");
            var key = value[..separator].Trim().ToLowerInvariant();
            if (current.ContainsKey(key))
                throw new FormatException($"While reading from '{source}' [line {i + 1}]: option '{key}' already exists");
            current[key] = value[(separator + 1)..].Trim();
            lastKey = key;
        }
        return config;
    }
}
