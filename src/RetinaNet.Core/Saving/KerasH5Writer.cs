using System.Text.Json.Nodes;
using PureHDF;

namespace RetinaNet.Core;

/// <summary>
/// Writes Keras HDF5 files that Keras 2 and 3 load (<c>save_model_to_hdf5</c> layout): root attributes
/// <c>keras_version</c>, <c>backend</c>, <c>model_config</c> and, for a compiled model, <c>training_config</c>;
/// <c>model_weights</c>; <c>optimizer_weights</c>. Files are written to a temporary file in the same folder and
/// renamed over the target, so a failed save leaves an earlier file untouched.
/// </summary>
internal static class KerasH5Writer
{
    public static void SaveModel(Model model, string path, bool includeOptimizer)
    {
        Write(path, () =>
        {
            var file = new H5File();
            file.Attributes["keras_version"] = H5WeightGroups.KerasVersion;
            file.Attributes["backend"] = H5WeightGroups.Backend;
            file.Attributes["model_config"] = ConfigJson.ToJson(ModelEntry(model));
            var weights = new H5Group();
            file["model_weights"] = weights;
            H5WeightGroups.Write(weights, model);
            if (includeOptimizer && model.optimizer is Optimizer optimizer)
            {
                file.Attributes["training_config"] = ConfigJson.ToJson(TrainingConfig.Serialize(model, optimizer));
                var names = optimizer.weight_names;
                if (names.Count > 0)
                {
                    var values = optimizer.get_weights();
                    if (values.Count != names.Count)
                        throw new InvalidOperationException(
                            $"The optimizer '{optimizer.name}' names {names.Count} state weights but get_weights returned {values.Count}.");
                    var group = new H5Group();
                    file["optimizer_weights"] = group;
                    H5WeightGroups.WriteSubset(group, names.Zip(values));
                }
            }
            return file;
        });
    }

    public static void SaveWeights(Model model, string path) =>
        Write(path, () =>
        {
            var file = new H5File();
            H5WeightGroups.Write(file, model);
            return file;
        });

    /// <summary><c>{"class_name": "Functional", "config": ...}</c>, as Keras stores <c>model_config</c>.</summary>
    public static JsonObject ModelEntry(Model model) =>
        new() { ["class_name"] = FunctionalConfig.ClassName(model), ["config"] = model.get_config() };

    static void Write(string path, Func<H5File> build)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        var temp = TemporaryFiles.For(full);
        try
        {
            H5File file;
            // Weight read-backs are chains of temporaries: the scope keeps each referenced while libtorch uses it
            // (a finalized one mid-call crashes, TorchSharp#1434) and frees them all when the file is built.
            using (TorchSharp.torch.NewDisposeScope())
                file = build();
            Directory.CreateDirectory(folder);
            file.Write(temp);
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e)
        {
            try { File.Delete(temp); }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException) { /* the original error matters more */ }
            throw new KerasFileException(path, $"Could not save to '{path}': {e.Message}", e);
        }
    }
}
