namespace RetinaNet.Core.Layers;

/// <summary>Keras' <c>data_format</c> argument: tensors here are always channels-last.</summary>
internal static class DataFormat
{
    /// <summary>Returns "channels_last" for null (Keras' default) or "channels_last"; rejects anything else.</summary>
    public static string ChannelsLastOnly(string? data_format, string layer) =>
        data_format is null or "channels_last"
            ? "channels_last"
            : throw new ArgumentException($"{layer} supports data_format='channels_last' only (got '{data_format}').");
}
