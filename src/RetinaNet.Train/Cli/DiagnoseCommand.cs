using System.CommandLine;
using System.Globalization;
using RetinaNet.Layers.Utils;
using RetinaNet.Train.Diagnostics;
using RetinaNet.Train.Preprocessing;

namespace RetinaNet.Train.Cli;

/// <summary>
/// <c>retinanet diagnose {csv|pascal|coco}</c>: before training, which boxes the anchors can reach at the network
/// input size, dataset mistakes with their effect on training, and suggested anchors as a <c>--config</c> file.
/// </summary>
public static class DiagnoseCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var sizing = new ImageSizingOptions();
        var config = new Option<string?>("--config") { Description = "Anchor configuration .ini file to check (default anchors otherwise)." };
        var output = new Option<string>("--output") { Description = "Folder for diagnosis.json, suggested_anchors.ini and the histograms.", DefaultValueFactory = _ => "diagnose-output" };
        var iterations = new Option<int>("--iterations") { Description = "Anchor settings tried by the search.", DefaultValueFactory = _ => 400 };

        var command = new Command("diagnose", "Check a dataset and its anchors before training: boxes no anchor reaches, dataset mistakes, suggested anchors.");
        DatasetArguments.AddTo(command, new Option[] { config, output, iterations }.Concat(sizing.Options).ToArray(), Array.Empty<Argument>(), withValidation: false,
            (parse, dataset) => CliErrors.Run(() =>
            {
                var anchors = ConfigFile.read_anchor_config(parse.GetValue(config));
                var generator = DatasetArguments.Create(dataset, "train", new GeneratorOptions
                {
                    image_sizing = sizing.Bind(parse),
                    shuffle_groups = false, group_method = "none",
                })!;
                var diagnosis = DatasetDiagnosis.Run(generator, anchors, iterations: parse.GetValue(iterations));
                Print(diagnosis, Console.WriteLine);
                var folder = parse.GetValue(output)!;
                DiagnosisWriter.Write(diagnosis, folder);
                Console.WriteLine($"Suggested anchors written to {Path.Combine(folder, DiagnosisWriter.ConfigName)}; histograms and diagnosis.json in {folder}");
            }));
        return command;
    }

    /// <summary>The diagnosis as plain lines.</summary>
    public static void Print(DatasetDiagnosis diagnosis, Action<string> print)
    {
        string P(double share) => (100 * share).ToString("0.0", CultureInfo.InvariantCulture) + "%";
        print($"{diagnosis.Scan.ImageCount} images, {diagnosis.Scan.Boxes.Count} boxes; anchors reach (IoU >= 0.5) {P(diagnosis.Coverage)} of the boxes.");
        foreach (var (title, buckets) in new[] { ("class", diagnosis.PerClass), ("size", diagnosis.PerSize), ("aspect", diagnosis.PerAspect) })
        {
            print($"Boxes without a positive anchor, per {title}:");
            foreach (var b in buckets.Where(b => b.Boxes > 0))
                print($"  {b.Name,-24} {b.WithoutPositive,6} of {b.Boxes,-6} ({P(b.ShareWithoutPositive)}), mean best IoU {b.MeanBestIoU.ToString("0.00", CultureInfo.InvariantCulture)}");
        }
        print(diagnosis.Findings.Count == 0 ? "No problems found." : "Problems:");
        foreach (var f in diagnosis.Findings) print($"  - {f.Message}");
        var s = diagnosis.Suggestion;
        print($"Suggested anchors: ratios {string.Join(' ', s.Parameters.ratios.Select(r => r.ToString(CultureInfo.InvariantCulture)))}, " +
              $"scales {string.Join(' ', s.Parameters.scales.Select(r => r.ToString(CultureInfo.InvariantCulture)))}; coverage {P(s.CoverageBefore)} -> {P(s.CoverageAfter)}, " +
              $"mean best IoU {s.MeanIoUBefore.ToString("0.000", CultureInfo.InvariantCulture)} -> {s.MeanIoUAfter.ToString("0.000", CultureInfo.InvariantCulture)}" +
              (s.CoverageAfter > s.CoverageBefore ? "." : " (coverage unchanged: keep your anchors unless the tighter fit is worth retraining)."));
    }
}
