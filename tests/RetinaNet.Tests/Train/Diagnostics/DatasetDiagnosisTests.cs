using RetinaNet.Layers.Utils;
using RetinaNet.Tests.Train.Preprocessing;
using RetinaNet.Train.Cli;
using RetinaNet.Train.Diagnostics;
using RetinaNet.Train.Preprocessing;

namespace RetinaNet.Tests.Train.Diagnostics;

public class DatasetDiagnosisTests
{
    string folder = null!;

    [SetUp]
    public void MakeFolder() => folder = Directory.CreateTempSubdirectory("diagnose").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(folder, true);

    // 256×256 images at their own size (no resize). Image 0 holds nine tall thin boxes of class 'a', 12×96 px
    // (h/w 8), centred on P3 anchor centres. The best default anchor (ratio 2, side 32: 22.6×45.3) reaches
    // IoU 12·45.3 / (1152 + 1024 - 543) ≈ 0.333, so none has a positive anchor. Image 1 has no boxes, image 2 one
    // box past its right edge. Class 'b' has no annotations.
    static MemoryGenerator Tall()
    {
        var boxes = new List<(double, double, double, double, int)>();
        foreach (var cx in new[] { 36.0, 100, 164 })
            foreach (var cy in new[] { 60.0, 128, 190 })
                boxes.Add((cx - 6, cy - 48, cx + 6, cy + 48, 0));
        return new MemoryGenerator([(256, 256), (256, 256), (256, 256)],
            [MemoryGenerator.Boxes(boxes.ToArray()), RetinaNet.Train.Preprocessing.Annotations.Empty, MemoryGenerator.Boxes((200, 10, 300, 60, 0))],
            options: new GeneratorOptions { image_sizing = new RetinaNet.Train.Utils.ImageSizing(no_resize: true) });
    }

    static DatasetDiagnosis Diagnose() =>
        DatasetDiagnosis.Run(Tall(), AnchorConfig.Default, _ => (256, 256), iterations: 200);

    [Test]
    public void TallThinBoxes_ReachNoDefaultAnchor_AndTheSuggestedAnchorsReachThemAll()
    {
        var diagnosis = Diagnose();
        Assert.That(diagnosis.Scan.Boxes, Has.Count.EqualTo(9));
        Assert.That(diagnosis.BestIoU.Max(), Is.EqualTo(12 * 45.254834 / (1152 + 1024 - 12 * 45.254834)).Within(1e-6));
        Assert.That(diagnosis.Coverage, Is.Zero);
        Assert.That(diagnosis.PerAspect.Single(b => b.Name.StartsWith("very tall")).WithoutPositive, Is.EqualTo(9));
        Assert.That(diagnosis.Suggestion.CoverageBefore, Is.Zero);
        Assert.That(diagnosis.Suggestion.CoverageAfter, Is.EqualTo(1.0));
        Assert.That(diagnosis.Suggestion.Parameters.ratios.Max(), Is.GreaterThan(3.5f), "a tall anchor (h/w > 3.5) is needed");
    }

    [Test]
    public void Findings_NameEachProblemWithItsEffect()
    {
        var findings = Diagnose().Findings;
        Assert.That(findings.Select(f => f.Kind), Is.SupersetOf(new[]
            { "no_positive_anchor", "class_without_positive_anchor", "invalid_box", "class_without_annotations", "rare_class", "image_without_annotations" }));
        Assert.That(findings.Single(f => f.Kind == "class_without_annotations").Message, Does.StartWith("Class 'b' has no annotations"));
        Assert.That(findings.Single(f => f.Kind == "invalid_box").Message, Does.Contain("(200, 10, 300, 60) in mem/2.png").And.Contain("drops them"));
        Assert.That(findings.Single(f => f.Kind == "no_positive_anchor").Message, Does.StartWith("9 of 9 boxes (100%) reach no anchor"));
    }

    [Test]
    public void SuggestedConfig_IsReadBackByTrainsConfigReader_WithTheSameCoverage()
    {
        var diagnosis = Diagnose();
        var written = DiagnosisWriter.Write(diagnosis, folder);
        Assert.That(written.Select(Path.GetFileName), Is.EquivalentTo(new[] { "diagnosis.json", "suggested_anchors.ini", "box_sizes.png", "box_aspects.png" }));

        var anchors = ConfigFile.read_anchor_config(Path.Combine(folder, DiagnosisWriter.ConfigName));
        Assert.That(anchors.ratios, Is.EqualTo(diagnosis.Suggestion.Parameters.ratios));
        Assert.That(anchors.scales, Is.EqualTo(diagnosis.Suggestion.Parameters.scales));
        Assert.That(anchors.sizes, Is.EqualTo(AnchorConfig.Default.sizes));
        Assert.That(anchors.pyramid_levels, Is.EqualTo(AnchorConfig.DefaultPyramidLevels));
        var reread = new AnchorCoverage(anchors).BestIoU(diagnosis.Scan.Boxes);
        Assert.That(AnchorCoverage.Share(reread), Is.EqualTo(1.0));
    }
}
