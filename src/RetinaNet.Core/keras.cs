using TorchSharp;
using static TorchSharp.torch;
using RetinaNet.Core.Layers;

namespace RetinaNet.Core;

/// <summary>
/// Keras' entry points under their Python names, so code ports line by line:
/// <c>keras.Input</c>, <c>keras.Model</c>, <c>keras.backend.clear_session</c>, <c>keras.models.load_model</c>.
/// </summary>
public static partial class keras
{
    /// <summary>A symbolic input of the given shape (without the batch axis), e.g. <c>keras.Input(new Shape(null, null, 3))</c>.</summary>
    public static KerasTensor Input(Shape shape, long? batch_size = null, string? name = null, string dtype = "float32") =>
        new InputLayer(batch_shape: new Shape(new long?[] { batch_size }.Concat(shape).ToArray()), name: name, dtype: dtype).output.Single();

    /// <summary>A functional model from inputs to outputs.</summary>
    public static Core.Model Model(KerasTensors inputs, KerasTensors outputs, string? name = null) => new(inputs, outputs, name);

    /// <summary>Backend utilities.</summary>
    public static class backend
    {
        /// <summary>Resets automatic layer names (<c>conv2d</c>, <c>conv2d_1</c>, …).</summary>
        public static void clear_session() => LayerNames.Reset();

        /// <summary>Fuzz factor used by losses and layers (Keras' <c>epsilon()</c>).</summary>
        public static double epsilon() => 1e-7;

        /// <summary>
        /// Keras' <c>backend.binary_crossentropy</c> on probabilities, element-wise: clip the output to
        /// [ε, 1-ε], then <c>-(target·ln(p+ε) + (1-target)·ln(1-p+ε))</c>.
        /// </summary>
        public static Tensor binary_crossentropy(Tensor target, Tensor output)
        {
            // Scalars held for the process (see HeldScalar); 1 - t is computed as -t + 1 (the same rounding).
            Scalar one = HeldScalar.One, eps = HeldScalar.Of(epsilon());
            var p = output.clamp(eps, HeldScalar.Of(1 - epsilon()));
            var positive = target * p.add(eps, one).log();
            var negative = target.neg().add_(one, one) * p.neg().add_(one, one).add_(eps, one).log();
            return -positive.add(negative, one);
        }
    }

    /// <summary>Keras utilities.</summary>
    public static class utils
    {
        /// <summary>Makes custom objects visible to deserialization inside a <c>using</c> block.</summary>
        public static CustomObjectScope custom_object_scope(IReadOnlyDictionary<string, object> custom_objects) => new(custom_objects);
    }
}
