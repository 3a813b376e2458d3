using System.Text.Json;
using System.Text.Json.Nodes;
using PureHDF;

namespace RetinaNet.Core;

/// <summary>
/// Reads Keras HDF5 files (Keras 2.x and 3.x legacy <c>.h5</c>): <c>load_model_from_hdf5</c> — rebuild the model from
/// <c>model_config</c>, load <c>model_weights</c>, then compile from <c>training_config</c> and restore
/// <c>optimizer_weights</c> — and <c>load_weights</c> for weights-only and full model files.
/// Every failure is a <see cref="KerasFileException"/> naming the file.
/// </summary>
internal static class KerasH5Reader
{
    public static Model LoadModel(string path, IReadOnlyDictionary<string, object>? customObjects, bool compile, Action<string> warn)
    {
        using var file = H5Guard.Open(path);
        var text = H5Guard.Run(path, () => H5Strings.ReadString(file.File, "model_config", file.Length))
            ?? throw new KerasFileException(path, $"No model config found in the file at {path}.");
        var entry = ParseJson(text, "model_config", path);
        var model = H5Guard.Run(path, () =>
        {
            using var scope = new CustomObjectScope(customObjects);
            using var skip = WeightInitialization.Skip(); // every weight is read from the file next
            return ModelConfigReader.FromEntry(entry);
        }, "rebuilding it from its config failed");
        H5WeightsReader.Load(file, H5WeightsReader.WeightsGroup(file, path), model, path, byName: false, skipMismatch: false, warn);
        if (compile) Compile(file, model, path, customObjects, warn);
        return model;
    }

    public static void LoadWeights(Model model, string path, bool byName, bool skipMismatch, Action<string> warn)
    {
        using var file = H5Guard.Open(path);
        H5WeightsReader.Load(file, H5WeightsReader.WeightsGroup(file, path), model, path, byName, skipMismatch, warn);
    }

    static void Compile(NativeFileHandle file, Model model, string path, IReadOnlyDictionary<string, object>? customObjects, Action<string> warn)
    {
        var text = H5Guard.Run(path, () => H5Strings.ReadString(file.File, "training_config", file.Length));
        if (text is null)
        {
            warn("No training configuration found in the save file, so the model was *not* compiled. Compile it manually.");
            return;
        }
        var config = ParseJson(text, "training_config", path);
        TrainingConfig.Compiled compiled;
        try
        {
            // Losses and optimizers resolve through the same custom_objects as the layers.
            using var scope = new CustomObjectScope(customObjects);
            compiled = TrainingConfig.Deserialize(config, model.output_names);
        }
        catch (KerasConfigException e)
        {
            warn($"The model in '{path}' was loaded but not compiled: {e.Message} " +
                 "Pass the missing class in custom_objects to compile it, or load with compile: false.");
            return;
        }
        model.SetCompileState(compiled.optimizer, compiled.losses, compiled.loss_weights);
        RestoreOptimizer(file, model, compiled.optimizer, path, warn);
    }

    /// <summary>
    /// Keras builds the optimizer for the trainable weights, then sets its saved state; a mismatch only warns.
    /// The values are handed over to the optimizer (not disposed here), since <c>set_weights</c> may keep them.
    /// </summary>
    static void RestoreOptimizer(NativeFileHandle file, Model model, Optimizer optimizer, string path, Action<string> warn)
    {
        var group = H5Guard.Run(path, () => file.File.LinkExists("optimizer_weights") ? file.File.Group("optimizer_weights") : null);
        if (group is null) return;
        var (_, values) = H5WeightsReader.ReadAll(file, group, path);
        try
        {
            optimizer.build(model.trainable_weights);
            optimizer.set_weights(values);
        }
        catch (Exception e)
        {
            // Optimizers are user-replaceable code; whatever they reject, the model itself loaded fine.
            warn("Error in loading the saved optimizer state. As a result, your model is starting with a freshly " +
                 $"initialized optimizer. ({e.Message})");
        }
    }

    static JsonObject ParseJson(string text, string attribute, string path)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject
                ?? throw new KerasFileException(path, $"Cannot load '{path}': its {attribute} is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new KerasFileException(path, $"Cannot load '{path}': its {attribute} is not valid JSON ({e.Message}).", e);
        }
    }
}
