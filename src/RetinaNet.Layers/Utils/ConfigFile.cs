using System.Globalization;

namespace RetinaNet.Layers.Utils;

/// <summary>
/// keras-retinanet's <c>--config</c> file (<c>utils/config.py</c>): an INI file with an <c>[anchor_parameters]</c>
/// section (space-separated <c>sizes</c>, <c>strides</c>, <c>ratios</c>, <c>scales</c>) and an optional
/// <c>[pyramid_levels]</c> section with <c>levels</c>. Error messages are keras-retinanet's.
/// </summary>
public static class ConfigFile
{
    static readonly string[] anchorKeys = { "sizes", "strides", "ratios", "scales" };

    /// <summary>Reads and checks a config file (sections and keys, not the values).</summary>
    /// <exception cref="FormatException">The file is not valid INI or lacks the expected sections or keys.</exception>
    public static IniConfig read_config_file(string config_path)
    {
        var config = IniConfig.Load(config_path);
        Check(config);
        return config;
    }

    /// <summary>Checks parsed INI text as <see cref="read_config_file"/> does (for configs that are not files).</summary>
    public static IniConfig Check(IniConfig config)
    {
        if (!config.HasSection("anchor_parameters"))
            throw new FormatException("Malformed config file. Verify that it contains the anchor_parameters section.");
        var invalid = config["anchor_parameters"].Keys.Where(k => !anchorKeys.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (invalid.Count > 0)
            // Python formats the set of offending keys: {'foo', 'bar'}.
            throw new FormatException($"Malformed config file. These keys are not valid: {{{string.Join(", ", invalid.Select(k => $"'{k}'"))}}}");
        if (config.HasSection("pyramid_levels") && !config["pyramid_levels"].ContainsKey("levels"))
            throw new FormatException("pyramid levels specified by levels key");
        return config;
    }

    /// <summary>
    /// The anchors of an optional <c>--config</c> file: <see cref="AnchorConfig.Default"/> without a file, else the
    /// file's <c>[anchor_parameters]</c> and <c>[pyramid_levels]</c>, each section defaulting on its own. The one
    /// place a config file becomes an <see cref="AnchorConfig"/>.
    /// </summary>
    public static AnchorConfig read_anchor_config(string? config_path)
    {
        if (config_path is null) return AnchorConfig.Default;
        var ini = read_config_file(config_path);
        var anchors = ini.HasSection("anchor_parameters") ? parse_anchor_parameters(ini) : AnchorConfig.Default;
        return ini.HasSection("pyramid_levels") ? anchors with { pyramid_levels = parse_pyramid_levels(ini) } : anchors;
    }

    /// <summary>
    /// The anchor parameters of a config (ratios and scales as float32, sizes and strides as ints), with the default
    /// pyramid levels (see <see cref="parse_pyramid_levels"/>).
    /// </summary>
    public static AnchorConfig parse_anchor_parameters(IniConfig config)
    {
        var ratios = Values(config, "anchor_parameters", "ratios").Select(ParseFloat).ToArray();
        var scales = Values(config, "anchor_parameters", "scales").Select(ParseFloat).ToArray();
        var sizes = Values(config, "anchor_parameters", "sizes").Select(ParseInt).ToArray();
        var strides = Values(config, "anchor_parameters", "strides").Select(ParseInt).ToArray();
        if (sizes.Length != strides.Length)
            throw new FormatException("sizes and strides should have an equal number of values");
        return new AnchorConfig(sizes, strides, ratios, scales);
    }

    /// <summary>The pyramid levels of a config's <c>[pyramid_levels]</c> section.</summary>
    public static int[] parse_pyramid_levels(IniConfig config) =>
        Values(config, "pyramid_levels", "levels").Select(ParseInt).ToArray();

    // keras-retinanet splits on single spaces; any run of whitespace is accepted here.
    static string[] Values(IniConfig config, string section, string key) =>
        config[section].TryGetValue(key, out var text)
            ? text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            : throw new FormatException($"Malformed config file. The {section} section has no '{key}' key.");

    // Python parses a float64 and numpy rounds it to float32; parsing straight to float32 could round differently.
    static float ParseFloat(string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? (float)v
            : throw new FormatException($"could not convert string to float: '{s}'");

    static int ParseInt(string s) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"invalid literal for int() with base 10: '{s}'");
}
