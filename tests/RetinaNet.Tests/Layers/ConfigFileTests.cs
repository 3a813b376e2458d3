using RetinaNet.Layers.Utils;

namespace RetinaNet.Tests.Layers;

public class ConfigFileTests
{
    // keras-retinanet's tests/test-data/config/config.ini, with its comment lines.
    const string Example = """
        [anchor_parameters]
        # Sizes should correlate to how the network processes an image, it is not advised to change these!
        sizes   = 32 64 128 256 512
        # Strides should correlate to how the network strides over an image, it is not advised to change these!
        strides = 8 16 32 64 128
        # The different ratios to use per anchor location.
        ratios  = 0.5 1 2 3
        # The different scaling factors to use per anchor location.
        scales  = 1 1.2 1.6
        """;

    static string WriteTemp(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"retinanet-config-{Guid.NewGuid():N}.ini");
        File.WriteAllText(path, text);
        return path;
    }

    [Test]
    public void ReadAndParse_ExampleConfig()
    {
        var path = WriteTemp(Example);
        try
        {
            var config = ConfigFile.read_config_file(path);
            var p = ConfigFile.parse_anchor_parameters(config);
            Assert.That(p.sizes, Is.EqualTo(new[] { 32, 64, 128, 256, 512 }));
            Assert.That(p.strides, Is.EqualTo(new[] { 8, 16, 32, 64, 128 }));
            Assert.That(p.ratios, Is.EqualTo(new[] { 0.5f, 1f, 2f, 3f }));
            Assert.That(p.scales, Is.EqualTo(new[] { 1f, 1.2f, 1.6f }));
            Assert.That(p.num_anchors(), Is.EqualTo(12));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void ReadAnchorConfig_TakesBothSectionsOfTheFile_AndDefaultsWithoutOne()
    {
        Assert.That(ConfigFile.read_anchor_config(null), Is.SameAs(AnchorConfig.Default));
        var path = WriteTemp(Example + "\n[pyramid_levels]\nlevels = 3 4 5 6 7\n");
        try
        {
            var anchors = ConfigFile.read_anchor_config(path);
            Assert.That(anchors.ratios, Is.EqualTo(new[] { 0.5f, 1f, 2f, 3f }));
            Assert.That(anchors.pyramid_levels, Is.EqualTo(new[] { 3, 4, 5, 6, 7 }));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void PyramidLevels_AreParsed()
    {
        var config = ConfigFile.Check(IniConfig.Parse(Example + "\n[pyramid_levels]\nlevels = 3 4 5\n"));
        Assert.That(ConfigFile.parse_pyramid_levels(config), Is.EqualTo(new[] { 3, 4, 5 }));
    }

    [Test]
    public void MissingAnchorSection_IsRejectedWithKerasRetinanetMessage()
    {
        var e = Assert.Throws<FormatException>(() => ConfigFile.Check(IniConfig.Parse("[other]\na = 1\n")));
        Assert.That(e!.Message, Is.EqualTo("Malformed config file. Verify that it contains the anchor_parameters section."));
    }

    [Test]
    public void UnknownKeys_AreListedLikeAPythonSet()
    {
        var e = Assert.Throws<FormatException>(() => ConfigFile.Check(IniConfig.Parse(Example + "\nfoo = 1\nBar: 2\n")));
        Assert.That(e!.Message, Is.EqualTo("Malformed config file. These keys are not valid: {'bar', 'foo'}"));
    }

    [Test]
    public void PyramidLevelsWithoutLevelsKey_IsRejected()
    {
        var e = Assert.Throws<FormatException>(() => ConfigFile.Check(IniConfig.Parse(Example + "\n[pyramid_levels]\nlvls = 3\n")));
        Assert.That(e!.Message, Is.EqualTo("pyramid levels specified by levels key"));
    }

    [Test]
    public void SizesAndStridesOfDifferentLength_AreRejected()
    {
        var config = IniConfig.Parse("[anchor_parameters]\nsizes = 32 64\nstrides = 8\nratios = 1\nscales = 1\n");
        var e = Assert.Throws<FormatException>(() => ConfigFile.parse_anchor_parameters(config));
        Assert.That(e!.Message, Is.EqualTo("sizes and strides should have an equal number of values"));
    }

    [Test]
    public void BadNumbers_NameTheValue()
    {
        var config = IniConfig.Parse("[anchor_parameters]\nsizes = 32 x\nstrides = 8 16\nratios = 1\nscales = 1\n");
        var e = Assert.Throws<FormatException>(() => ConfigFile.parse_anchor_parameters(config));
        Assert.That(e!.Message, Is.EqualTo("invalid literal for int() with base 10: 'x'"));
    }

    [Test]
    public void Ini_ContinuationLinesAndColonSeparator()
    {
        var ini = IniConfig.Parse("[s]\nKey: a b\n  c\n; comment\n");
        Assert.That(ini["s"]["key"], Is.EqualTo("a b\nc"));
        Assert.Throws<FormatException>(() => IniConfig.Parse("key = 1\n"));
    }
}
