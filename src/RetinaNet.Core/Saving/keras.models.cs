using System.Text.Json;
using System.Text.Json.Nodes;

namespace RetinaNet.Core;

public static partial class keras
{
    /// <summary>Loading models: <c>keras.models.load_model</c>, <c>model_from_json</c>, <c>model_from_config</c>.</summary>
    public static class models
    {
        /// <summary>
        /// Loads a model saved by Keras (2.x or 3.x, <c>model.save("x.h5")</c>) or by <see cref="Core.Model.save"/>:
        /// rebuilds it from its config, loads its weights and, when <paramref name="compile"/> and the file has a training
        /// config whose optimizer and losses resolve, compiles it and restores the optimizer state.
        /// </summary>
        /// <param name="filepath">The <c>.h5</c> file.</param>
        /// <param name="custom_objects">Class name → <see cref="Type"/> (or <c>Func&lt;JsonObject, object&gt;</c> factory,
        /// or activation function) for custom layers, losses, optimizers and initializers; looked up before built-ins.</param>
        /// <param name="compile">Compile from the training config (if it cannot be resolved, a warning says why and the model stays uncompiled).</param>
        /// <param name="warn">Receives warnings; defaults to standard error.</param>
        /// <exception cref="KerasFileException">Anything that prevents loading, with the file and the problem in the message.</exception>
        public static Core.Model load_model(string filepath, IReadOnlyDictionary<string, object>? custom_objects = null,
            bool compile = true, Action<string>? warn = null) =>
            KerasH5Reader.LoadModel(filepath, custom_objects, compile, warn ?? Console.Error.WriteLine);

        /// <summary>Rebuilds a model from <c>{"class_name": ..., "config": ...}</c> (what <c>model_config</c> holds).</summary>
        /// <exception cref="KerasConfigException">An unknown class or a malformed config.</exception>
        public static Core.Model model_from_config(JsonObject config, IReadOnlyDictionary<string, object>? custom_objects = null)
        {
            using var scope = new CustomObjectScope(custom_objects);
            return ModelConfigReader.FromEntry(ConfigJson.Reparse(config));
        }

        /// <summary>Rebuilds a model from the JSON of <see cref="Core.Model.to_json"/> or Keras' <c>model.to_json()</c>.</summary>
        /// <exception cref="KerasConfigException">Invalid JSON, an unknown class or a malformed config.</exception>
        public static Core.Model model_from_json(string json, IReadOnlyDictionary<string, object>? custom_objects = null)
        {
            JsonObject config;
            try
            {
                config = JsonNode.Parse(json) as JsonObject ?? throw new KerasConfigException("The model JSON is not an object.");
            }
            catch (JsonException e)
            {
                throw new KerasConfigException($"The model JSON is not valid: {e.Message}", e);
            }
            return model_from_config(config, custom_objects);
        }
    }
}
