using System.Globalization;

namespace RetinaNet.Core;

/// <summary>Keras' <c>model.summary()</c> table for functional models.</summary>
internal static class ModelSummary
{
    public static void Print(Model model, Action<string> print)
    {
        var rows = new List<string[]>();
        foreach (var layer in model.layers)
        {
            var nodes = layer.inbound_nodes.Where(n => model.nodes.Contains(n)).ToList();
            var shape = nodes.Count > 0 ? nodes[0].outputs.shapes.ToString() : "multiple";
            var connected = string.Join(", ", nodes.SelectMany(n => n.input_tensors)
                .Select(t => $"{t.layer.name}[{t.node.node_index}][{t.tensor_index}]"));
            rows.Add(new[] { $"{layer.name} ({layer.GetType().Name})", shape, Count(layer.count_params()), connected });
        }
        var headers = new[] { "Layer (type)", "Output Shape", "Param #", "Connected to" };
        var widths = Enumerable.Range(0, 4).Select(c => Math.Max(headers[c].Length, rows.Select(r => r[c].Length).DefaultIfEmpty(0).Max()) + 2).ToArray();
        var total = widths.Sum() + 1;
        string Line(string[] cells) => " " + string.Concat(cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd();

        print($"Model: \"{model.name}\"");
        print(new string('_', total));
        print(Line(headers));
        print(new string('=', total));
        for (int i = 0; i < rows.Count; i++)
        {
            print(Line(rows[i]));
            print(i == rows.Count - 1 ? new string('=', total) : "");
        }
        var trainable = model.trainable_weights.Sum(Size);
        var nonTrainable = model.non_trainable_weights.Sum(Size);
        print($"Total params: {Count(trainable + nonTrainable)}");
        print($"Trainable params: {Count(trainable)}");
        print($"Non-trainable params: {Count(nonTrainable)}");
        print(new string('_', total));
    }

    static long Size(KerasVariable w) => w.shape.ToLongArray().Aggregate(1L, (a, b) => a * b);
    static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
