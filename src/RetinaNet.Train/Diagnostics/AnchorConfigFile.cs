using System.Globalization;
using RetinaNet.Layers.Utils;

namespace RetinaNet.Train.Diagnostics;

/// <summary>Writes anchors as keras-retinanet's <c>--config</c> INI file (read back by <see cref="ConfigFile"/>).</summary>
public static class AnchorConfigFile
{
    /// <summary>The INI text: <c>[anchor_parameters]</c>, and <c>[pyramid_levels]</c> when the levels are not P3–P7.</summary>
    public static string ToIni(AnchorConfig parameters, string? comment = null)
    {
        static string Join<T>(IEnumerable<T> values) where T : IFormattable =>
            string.Join(' ', values.Select(v => v.ToString(null, CultureInfo.InvariantCulture)));
        var lines = new List<string>();
        if (comment is not null) lines.AddRange(comment.Split('\n').Select(l => "# " + l));
        lines.Add("[anchor_parameters]");
        lines.Add($"sizes   = {Join(parameters.sizes)}");
        lines.Add($"strides = {Join(parameters.strides)}");
        lines.Add($"ratios  = {Join(parameters.ratios)}");
        lines.Add($"scales  = {Join(parameters.scales)}");
        var levels = parameters.pyramid_levels;
        if (!levels.SequenceEqual(AnchorConfig.DefaultPyramidLevels))
        {
            lines.Add("");
            lines.Add("[pyramid_levels]");
            lines.Add($"levels = {Join(levels)}");
        }
        return string.Join('\n', lines) + "\n";
    }
}
