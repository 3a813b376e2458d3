using System.CommandLine;
using RetinaNet.Core;
using RetinaNet.Layers;
using Spectre.Console;

namespace RetinaNet.Train.Cli;

/// <summary>
/// <c>retinanet inspect FILE.h5</c>: Keras version, the layer table (class, name, output shape, parameters), the
/// classes that need <c>custom_objects</c>, and whether the file is a RetinaNet training or inference model.
/// </summary>
public static class InspectCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "A Keras .h5 model or weights file." };
        var command = new Command("inspect", "Describe a Keras .h5 file without needing its custom classes.") { file };
        command.SetAction(parse => CliErrors.Run(() => Print(parse.GetValue(file)!, Terminal.Create())));
        return command;
    }

    /// <summary>The kind of RetinaNet model a file holds.</summary>
    public static string Kind(KerasFileInfo info) =>
        info.output_names.Contains("regression") && info.output_names.Contains("classification") ? "RetinaNet training model"
        : info.layers.Any(l => l.class_name == "FilterDetections") ? "RetinaNet inference model"
        : info.model_class is null ? "weights only (no model config)"
        : "not a RetinaNet model";

    /// <summary>Classes in the file that plain Keras (our built-ins) cannot build: they need <c>custom_objects</c>.</summary>
    public static IReadOnlyList<string> CustomClasses(KerasFileInfo info) => info.layers
        .Where(l => l.class_name != "?" && (KerasObjects.Resolve(l.class_name) is null
            || l.class_name == "BatchNormalization" && l.config.ContainsKey("freeze")))
        .Select(l => l.class_name == "BatchNormalization" ? "BatchNormalization (keras-resnet, has 'freeze')" : l.class_name)
        .Distinct().ToList();

    static void Print(string path, IAnsiConsole console)
    {
        var info = KerasFileInfo.Read(path);
        console.MarkupLineInterpolated($"[bold]{path}[/]");
        console.WriteLine($"Keras version: {info.keras_version ?? "unknown"}, backend: {info.backend ?? "unknown"}");
        console.WriteLine($"Model: {info.model_class ?? "-"} \"{info.model_name ?? "-"}\" — {Kind(info)}");
        console.WriteLine($"Training configuration: {(info.has_training_config ? "yes" : "no")}, optimizer state: {(info.has_optimizer_weights ? "yes" : "no")}");

        var shapes = OutputShapes(path, info);
        var table = new Table().AddColumns("Layer (type)", "Output Shape", "Param #");
        foreach (var layer in info.layers)
            table.AddRow(Markup.Escape($"{layer.name} ({layer.class_name})"), Markup.Escape(shapes.GetValueOrDefault(layer.name, "?")), layer.parameters.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        console.Write(table);
        console.WriteLine($"Total params: {info.layers.Sum(l => l.parameters).ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}");
        var custom = CustomClasses(info);
        console.WriteLine(custom.Count == 0
            ? "custom_objects needed: none"
            : $"custom_objects needed: {string.Join(", ", custom)}" +
              (custom.All(c => CustomObjects.WithResNet().ContainsKey(c.Split(' ')[0])) ? " (all in RetinaNet.Layers.CustomObjects.WithResNet())" : ""));
    }

    /// <summary>Output shapes when the model builds with RetinaNet's custom objects; otherwise none.</summary>
    static Dictionary<string, string> OutputShapes(string path, KerasFileInfo info)
    {
        if (info.model_config is null) return new();
        try
        {
            using var scope = new CustomObjectScope(CustomObjects.WithResNet());
            var model = keras.models.model_from_config(info.model_config);
            return model.layers.ToDictionary(l => l.name, l => l.inbound_nodes.Count > 0 ? l.output_shape.ToString() : "?");
        }
        catch (Exception e) when (e is KerasConfigException or KerasFileException or ArgumentException or InvalidOperationException)
        {
            return new();
        }
    }
}
