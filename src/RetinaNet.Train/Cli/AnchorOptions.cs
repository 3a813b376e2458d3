using RetinaNet.Layers.Utils;

namespace RetinaNet.Train.Cli;

/// <summary>Anchor parameters and pyramid levels from an optional <c>--config</c> INI file.</summary>
public static class AnchorOptions
{
    /// <summary>Defaults when <paramref name="config"/> is null.</summary>
    public static (AnchorParameters parameters, int[] levels) Read(string? config)
    {
        if (config is null) return (AnchorParameters.Default, new[] { 3, 4, 5, 6, 7 });
        var ini = ConfigFile.read_config_file(config);
        var parameters = ini.HasSection("anchor_parameters") ? ConfigFile.parse_anchor_parameters(ini) : AnchorParameters.Default;
        var levels = ini.HasSection("pyramid_levels") ? ConfigFile.parse_pyramid_levels(ini) : new[] { 3, 4, 5, 6, 7 };
        return (parameters, levels);
    }
}
