namespace RetinaNet.Core;

/// <summary>Keras' short names for built-in objects (<c>"glorot_uniform"</c> → <c>GlorotUniform</c>).</summary>
internal static class NameAliases
{
    static readonly Dictionary<string, string> aliases = new(StringComparer.Ordinal)
    {
        ["zeros"] = "Zeros", ["zero"] = "Zeros", ["ones"] = "Ones", ["one"] = "Ones", ["constant"] = "Constant",
        ["random_normal"] = "RandomNormal", ["normal"] = "RandomNormal",
        ["random_uniform"] = "RandomUniform", ["uniform"] = "RandomUniform",
        ["truncated_normal"] = "TruncatedNormal", ["variance_scaling"] = "VarianceScaling",
        ["glorot_uniform"] = "GlorotUniform", ["glorot_normal"] = "GlorotNormal",
        ["he_normal"] = "HeNormal", ["he_uniform"] = "HeUniform",
        ["lecun_normal"] = "LecunNormal", ["lecun_uniform"] = "LecunUniform",
        ["adam"] = "Adam", ["sgd"] = "SGD", ["rmsprop"] = "RMSprop", ["adagrad"] = "Adagrad",
        ["adadelta"] = "Adadelta", ["adamax"] = "Adamax", ["nadam"] = "Nadam",
        ["mse"] = "MeanSquaredError", ["mean_squared_error"] = "MeanSquaredError",
        ["mae"] = "MeanAbsoluteError", ["mean_absolute_error"] = "MeanAbsoluteError",
        ["binary_crossentropy"] = "BinaryCrossentropy", ["categorical_crossentropy"] = "CategoricalCrossentropy",
        ["sparse_categorical_crossentropy"] = "SparseCategoricalCrossentropy",
    };

    public static string Canonical(string name) => aliases.TryGetValue(name, out var c) ? c : name;
}
