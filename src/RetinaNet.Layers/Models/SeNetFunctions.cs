using System.Text.Json.Nodes;
using RetinaNet.Core;
using RetinaNet.Core.Layers;

namespace RetinaNet.Layers;

/// <summary>
/// The two Python functions classification_models wraps in <c>Lambda</c> layers
/// (<c>classification_models.models._common_blocks</c>), for loading its models and building ours with its names.
/// </summary>
public static class SeNetFunctions
{
    const string Module = "classification_models.models._common_blocks";

    /// <summary><c>expand_dims(x, channels_axis)</c>: (B, C) → (B, 1, 1, C) for the squeeze-and-excitation block.</summary>
    public static LambdaFunction expand_dims { get; } = new("expand_dims",
        (x, args) => { CheckAxis(args, "channels_axis"); return x.unsqueeze(1).unsqueeze(1); },
        (shape, args) => { CheckAxis(args, "channels_axis"); return new Shape(shape[0], 1, 1, shape[-1]); },
        Module);

    /// <summary><c>slice_tensor(x, start, stop, axis)</c>: channels [start, stop) of an NHWC tensor (a group of a grouped convolution).</summary>
    public static LambdaFunction slice_tensor { get; } = new("slice_tensor",
        (x, args) => { CheckAxis(args, "axis"); return x.slice(3, Arg(args, "start"), Arg(args, "stop"), 1); },
        (shape, args) => { CheckAxis(args, "axis"); return new Shape(shape[0], shape[1], shape[2], Arg(args, "stop") - Arg(args, "start")); },
        Module);

    /// <summary>Both functions under their Python names, for <c>custom_objects</c>.</summary>
    public static void Register(IDictionary<string, object> custom_objects)
    {
        custom_objects[expand_dims.name] = expand_dims;
        custom_objects[slice_tensor.name] = slice_tensor;
    }

    static long Arg(JsonObject args, string key) =>
        args[key]?.GetValue<long>() ?? throw new KerasConfigException($"Lambda function argument '{key}' is missing.");

    static void CheckAxis(JsonObject args, string key)
    {
        if (Arg(args, key) != 3) throw new KerasConfigException($"Only channels_last ({key}=3) classification_models layers are supported, got {key}={args[key]}.");
    }
}
