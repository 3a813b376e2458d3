using System.Text.Json.Nodes;

namespace RetinaNet.Core;

public partial class Model
{
    /// <summary>
    /// The Keras 2 Functional config: <c>name</c>, <c>layers</c> (each with <c>class_name</c>, <c>config</c>,
    /// <c>name</c> and <c>inbound_nodes</c> as nested lists) in <see cref="layers"/> order, <c>input_layers</c> and
    /// <c>output_layers</c>. Python Keras rebuilds the model from it with <c>keras.Model.from_config</c>.
    /// </summary>
    public override JsonObject get_config() => FunctionalConfig.Serialize(this);

    /// <summary>Rebuilds a model from the config of <see cref="get_config"/> (or one written by Keras 2 or 3).</summary>
    public static Model from_config(JsonObject config) => from_config(config, null);

    /// <summary>
    /// Rebuilds a model from its config, creating each layer from its class name: <paramref name="custom_objects"/>
    /// first (class name → <see cref="Type"/> or <c>Func&lt;JsonObject, object&gt;</c>), then registered and built-in
    /// classes. Accepts Keras 2 and Keras 3 Functional configs and, leniently, Sequential ones.
    /// </summary>
    /// <exception cref="KerasConfigException">An unknown class or a malformed config.</exception>
    public static Model from_config(JsonObject config, IReadOnlyDictionary<string, object>? custom_objects)
    {
        using var scope = new CustomObjectScope(custom_objects);
        return ModelConfigReader.FromConfig(ConfigJson.Reparse(config));
    }

    /// <summary>The model as JSON, <c>{"class_name": "Functional", "config": ..., "keras_version", "backend"}</c>.</summary>
    public string to_json()
    {
        var entry = KerasH5Writer.ModelEntry(this);
        entry["keras_version"] = H5WeightGroups.KerasVersion;
        entry["backend"] = H5WeightGroups.Backend;
        return ConfigJson.ToJson(entry);
    }

    /// <summary>
    /// Saves the whole model as a Keras HDF5 file (Keras 2.12 layout, loadable by Python Keras 2 and 3): config,
    /// weights and, when compiled and <paramref name="include_optimizer"/>, the training config and optimizer state.
    /// The file is written next to the target and then renamed over it, so a failed save leaves an earlier file intact.
    /// </summary>
    /// <exception cref="KerasFileException">The model or file could not be written.</exception>
    public void save(string filepath, bool include_optimizer = true) => KerasH5Writer.SaveModel(this, filepath, include_optimizer);

    /// <summary>Saves only the weights, in the layout of Keras' <c>save_weights("x.h5")</c>.</summary>
    /// <exception cref="KerasFileException">The file could not be written.</exception>
    public void save_weights(string filepath) => KerasH5Writer.SaveWeights(this, filepath);

    /// <summary>
    /// Loads weights from a Keras HDF5 file written by <c>save_weights</c> or <c>save</c>. By default the k-th saved
    /// layer with weights goes to the k-th layer of this model that has weights; with <paramref name="by_name"/>,
    /// saved layers go to the layers of the same name. Nothing is changed if anything does not match.
    /// </summary>
    /// <param name="filepath">The <c>.h5</c> file.</param>
    /// <param name="by_name">Match layers by name instead of by position.</param>
    /// <param name="skip_mismatch">Skip (with a warning) weights whose count or shape does not match, instead of failing.</param>
    /// <param name="warn">Receives warnings; defaults to standard error.</param>
    /// <exception cref="KerasFileException">The file is unreadable or its weights do not fit this model.</exception>
    public void load_weights(string filepath, bool by_name = false, bool skip_mismatch = false, Action<string>? warn = null) =>
        KerasH5Reader.LoadWeights(this, filepath, by_name, skip_mismatch, warn ?? Console.Error.WriteLine);

    /// <summary>Sets what <c>compile</c> sets, for a model restored from a file's training config.</summary>
    internal void SetCompileState(Optimizer optimizer, IReadOnlyDictionary<string, Loss> losses, IReadOnlyDictionary<string, double> loss_weights)
    {
        this.optimizer = optimizer;
        this.losses = losses;
        this.loss_weights = loss_weights;
    }
}
