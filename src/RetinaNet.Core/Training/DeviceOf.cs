using TorchSharp;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>Device comparisons by type and index (TorchSharp's <c>Device</c> objects are not compared by value).</summary>
internal static class DeviceOf
{
    /// <summary>True when both tensors live on the same device.</summary>
    public static bool Same(Tensor a, Tensor b) => a.device_type == b.device_type && a.device_index == b.device_index;

    /// <summary>True when the tensor lives on <paramref name="device"/>.</summary>
    public static bool On(Tensor t, Device device) =>
        t.device_type == device.type && (device.type == DeviceType.CPU || t.device_index == device.index);

    /// <summary>The tensors moved to <paramref name="device"/> where they are elsewhere (fit accepts CPU data for a GPU model).</summary>
    public static Tensors To(Tensors tensors, Device device)
    {
        if (tensors.All(t => On(t, device))) return tensors;
        var moved = tensors.Select(t => On(t, device) ? t : t.to(device)).ToArray();
        return tensors.IsList ? new Tensors(moved) : moved[0];
    }
}
