using PureHDF;

namespace RetinaNet.Core;

/// <summary>
/// The string attributes of Keras files: <c>layer_names</c>/<c>weight_names</c> lists (fixed-length or
/// variable-length strings, an empty float64 array for "none", split into <c>name0</c>, <c>name1</c>, … when too
/// large for one attribute) and scalar strings such as <c>model_config</c>.
/// </summary>
internal static class H5Strings
{
    // Keras' HDF5_OBJECT_HEADER_LIMIT; PureHDF cannot write an attribute over 64 KiB at all.
    const int AttributeLimit = 64512;
    // In a variable-length string attribute each element is a 16-byte global heap id; the text lives in the heap.
    const int VlenElementBytes = 16;

    /// <summary>
    /// Writes a list of names as Keras does: an empty float64 array when there are none, else variable-length
    /// strings, split into near-equal consecutive chunks <c>name0..nameN</c> (like <c>np.array_split</c>) when
    /// one attribute would exceed the limit.
    /// </summary>
    public static void WriteNames(IDictionary<string, object> attributes, string name, IReadOnlyList<string> names)
    {
        if (names.Count == 0)
        {
            attributes[name] = Array.Empty<double>();
            return;
        }
        var chunks = 1;
        while ((names.Count + chunks - 1) / chunks * VlenElementBytes > AttributeLimit) chunks++;
        if (chunks == 1)
        {
            attributes[name] = names.ToArray();
            return;
        }
        var start = 0;
        for (int i = 0; i < chunks; i++)
        {
            var length = names.Count / chunks + (i < names.Count % chunks ? 1 : 0);
            attributes[$"{name}{i}"] = names.Skip(start).Take(length).ToArray();
            start += length;
        }
    }

    /// <summary>Reads a list of names (whole or chunked); null when the attribute is absent.</summary>
    public static string[]? ReadNames(IH5Object obj, string name, long fileLength)
    {
        if (obj.AttributeExists(name)) return Decode(obj.Attribute(name), fileLength);
        if (!obj.AttributeExists(name + "0")) return null;
        var all = new List<string>();
        for (int i = 0; obj.AttributeExists($"{name}{i}"); i++)
            all.AddRange(Decode(obj.Attribute($"{name}{i}"), fileLength));
        return all.ToArray();
    }

    /// <summary>Reads a scalar string attribute (the first element of a list is accepted too); null when absent.</summary>
    public static string? ReadString(IH5Object obj, string name, long fileLength)
    {
        if (!obj.AttributeExists(name)) return null;
        var values = Decode(obj.Attribute(name), fileLength);
        return values.Length > 0 ? values[0] : null;
    }

    static string[] Decode(IH5Attribute attribute, long fileLength)
    {
        var count = H5Guard.ElementCount(attribute.Space);
        // Each stored element takes at least one byte of the file; a larger count is corruption.
        if (count > fileLength)
            throw new InvalidDataException($"attribute '{attribute.Name}' claims {count} elements in a file of {fileLength} bytes");
        switch (attribute.Type.Class)
        {
            case H5DataTypeClass.String:
            case H5DataTypeClass.VariableLength:
                var values = attribute.Read<string[]>();
                return values.Select(s => (s ?? "").TrimEnd('\0')).ToArray();
            default:
                if (count == 0) return Array.Empty<string>();
                throw new InvalidDataException($"attribute '{attribute.Name}' holds {attribute.Type.Class} values where names were expected");
        }
    }
}
