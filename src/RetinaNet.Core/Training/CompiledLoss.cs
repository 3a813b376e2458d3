using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// The loss of a compiled model for one batch, as tf.keras' <c>LossesContainer</c> computes it: each output's loss
/// (unweighted, logged as <c>&lt;output&gt;_loss</c> when the model has several outputs) and the total
/// <c>Σ loss_weight · loss</c> (logged as <c>loss</c>).
/// </summary>
internal static class CompiledLoss
{
    /// <summary>The total (a scalar tensor, for backward) and each output's loss by log key.</summary>
    public static (Tensor total, List<(string key, Tensor value)> parts) Compute(Model model, Tensors y_true, Tensors y_pred)
    {
        var names = model.output_names;
        var withLoss = Enumerable.Range(0, names.Count).Where(i => model.losses.ContainsKey(names[i])).ToList();
        List<int> targetOf;
        if (y_true.Count == names.Count) targetOf = Enumerable.Range(0, names.Count).ToList();
        else if (y_true.Count == withLoss.Count)
        {
            targetOf = Enumerable.Repeat(-1, names.Count).ToList();
            for (int j = 0; j < withLoss.Count; j++) targetOf[withLoss[j]] = j;
        }
        else throw new ArgumentException(
            $"Model '{model.name}' has {names.Count} output(s) ({string.Join(", ", names)}), " +
            $"{withLoss.Count} with a loss, but {y_true.Count} target tensor(s) were given.");

        Tensor? total = null;
        var parts = new List<(string, Tensor)>();
        foreach (var i in withLoss)
        {
            var loss = model.losses[names[i]].call(y_true[targetOf[i]], y_pred[i]);
            if (names.Count > 1) parts.Add(($"{names[i]}_loss", loss));
            var weighted = model.loss_weights.TryGetValue(names[i], out var w) && w != 1 ? loss.mul(HeldScalar.Of(w)) : loss;
            total = total is null ? weighted : total.add(weighted, HeldScalar.One);
        }
        return (total ?? throw new InvalidOperationException($"Model '{model.name}' was compiled without any loss."), parts);
    }
}
