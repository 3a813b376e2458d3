using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace RetinaNet.Layers.TorchVision.Checkpoints;

/// <summary>
/// Reads a PyTorch <c>state_dict</c> — parameter name → tensor — from a file saved by <c>torch.save</c> (the zip
/// format of PyTorch ≥ 1.6: <c>archive/data.pkl</c> plus one raw entry per storage, <c>archive/data/N</c>) or
/// <c>safetensors</c> (8-byte little-endian header length, a JSON header, raw little-endian data). The pickle is read
/// by <see cref="RestrictedUnpickler"/>, which refuses everything but tensors and plain containers. A checkpoint
/// dict that wraps the weights under <c>model</c> or <c>state_dict</c> is unwrapped.
/// </summary>
public static class StateDict
{
    /// <summary>Reads the file (by content: zip, or else safetensors); tensors are CPU, in PyTorch layout.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException($"{path}: no such file.");
        using var stream = File.OpenRead(path);
        var magic = new byte[4];
        var read = stream.Read(magic, 0, 4);
        stream.Position = 0;
        if (read == 4 && magic[0] == 'P' && magic[1] == 'K') return LoadZip(stream, path);
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) return LoadSafetensors(stream, path);
        if (read >= 2 && magic[0] == 0x80)
            throw new CheckpointException($"{path}: a legacy (pre-1.6, non-zip) torch.save file; load and save it again with a current PyTorch.");
        throw new CheckpointException($"{path}: neither a PyTorch zip checkpoint nor a .safetensors file.");
    }

    static Dictionary<string, Tensor> LoadZip(Stream stream, string path)
    {
        ZipArchive zip;
        try { zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException e) { throw new CheckpointException($"{path}: not a readable zip archive (truncated or corrupt): {e.Message}", e); }
        using (zip)
        {
            var pickleEntry = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) || e.FullName == "data.pkl")
                ?? throw new CheckpointException($"{path}: the zip archive has no data.pkl (not a torch.save file).");
            var prefix = pickleEntry.FullName[..^"data.pkl".Length];
            object? root;
            try
            {
                using var pickle = new MemoryStream();
                using (var s = pickleEntry.Open()) s.CopyTo(pickle);
                pickle.Position = 0;
                root = RestrictedUnpickler.Load(pickle, path);
            }
            catch (InvalidDataException e) { throw new CheckpointException($"{path}: data.pkl cannot be read (truncated or corrupt): {e.Message}", e); }

            var dict = Unwrap(root, path);
            var storages = new Dictionary<string, Tensor>();
            var result = new Dictionary<string, Tensor>();
            try
            {
                foreach (var (key, value) in dict.Items)
                {
                    if (key is not string name) throw new CheckpointException($"{path}: a state_dict key is not a string ({key}).");
                    if (value is not TensorReference t) continue; // plain values (e.g. a version number) are not weights
                    if (!storages.TryGetValue(t.Storage.Key, out var storage))
                    {
                        var entry = zip.GetEntry($"{prefix}data/{t.Storage.Key}")
                            ?? throw new CheckpointException($"{path}: storage data/{t.Storage.Key} of '{name}' is missing from the archive.");
                        storage = ReadStorage(entry, t.Storage.StorageType, path);
                        storages[t.Storage.Key] = storage;
                    }
                    var needed = t.Offset + t.Size.Zip(t.Stride, (s, st) => s == 0 ? 0 : (s - 1) * st).Sum() + (t.Size.Contains(0) ? 0 : 1);
                    if (t.Offset < 0 || needed > storage.shape[0])
                        throw new CheckpointException($"{path}: tensor '{name}' reaches past the end of its storage (corrupt file).");
                    result[name] = storage.as_strided(t.Size, t.Stride, t.Offset).clone();
                }
            }
            catch (InvalidDataException e) { throw new CheckpointException($"{path}: a storage cannot be read (truncated or corrupt): {e.Message}", e); }
            finally
            {
                foreach (var s in storages.Values) s.Dispose();
            }
            return result;
        }
    }

    static PickleDict Unwrap(object? root, string path)
    {
        if (root is not PickleDict dict) throw new CheckpointException($"{path}: holds a {root?.GetType().Name ?? "None"}, not a state_dict.");
        if (!dict.Items.Any(p => p.Value is TensorReference))
            foreach (var wrapper in new[] { "model", "state_dict" })
                if (dict.Items.FirstOrDefault(p => Equals(p.Key, wrapper)).Value is PickleDict inner) return inner;
        return dict;
    }

    static Tensor ReadStorage(ZipArchiveEntry entry, string storageType, string path)
    {
        var dtype = storageType switch
        {
            "FloatStorage" => ScalarType.Float32,
            "DoubleStorage" => ScalarType.Float64,
            "HalfStorage" => ScalarType.Float16,
            "BFloat16Storage" => ScalarType.BFloat16,
            "LongStorage" => ScalarType.Int64,
            "IntStorage" => ScalarType.Int32,
            "ShortStorage" => ScalarType.Int16,
            "CharStorage" => ScalarType.Int8,
            "ByteStorage" => ScalarType.Byte,
            "BoolStorage" => ScalarType.Bool,
            _ => throw new CheckpointException($"{path}: unsupported storage type {storageType}."),
        };
        using var buffer = new MemoryStream();
        using (var s = entry.Open()) s.CopyTo(buffer);
        return FromBytes(buffer.ToArray(), dtype, path, entry.FullName);
    }

    static Tensor FromBytes(byte[] bytes, ScalarType dtype, string path, string what)
    {
        var size = ElementSize(dtype);
        if (bytes.Length % size != 0) throw new CheckpointException($"{path}: {what} has {bytes.Length} bytes, not a whole number of {dtype} values.");
        ReadOnlySpan<byte> span = bytes;
        return dtype switch
        {
            ScalarType.Float32 => tensor(MemoryMarshal.Cast<byte, float>(span).ToArray()),
            ScalarType.Float64 => tensor(MemoryMarshal.Cast<byte, double>(span).ToArray()),
            ScalarType.Int64 => tensor(MemoryMarshal.Cast<byte, long>(span).ToArray()),
            ScalarType.Int32 => tensor(MemoryMarshal.Cast<byte, int>(span).ToArray()),
            ScalarType.Int16 => tensor(MemoryMarshal.Cast<byte, short>(span).ToArray()),
            ScalarType.Int8 => tensor(MemoryMarshal.Cast<byte, sbyte>(span).ToArray()),
            ScalarType.Byte => tensor(bytes),
            ScalarType.Bool => tensor(bytes.Select(b => b != 0).ToArray()),
            // Half and bfloat16 widen exactly to float32, then narrow back exactly.
            ScalarType.Float16 => tensor(MemoryMarshal.Cast<byte, Half>(span).ToArray().Select(h => (float)h).ToArray()).to(dtype),
            ScalarType.BFloat16 => tensor(MemoryMarshal.Cast<byte, ushort>(span).ToArray()
                .Select(b => BitConverter.Int32BitsToSingle(b << 16)).ToArray()).to(dtype),
            _ => throw new CheckpointException($"{path}: {what}: unsupported dtype {dtype}."),
        };
    }

    static int ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    static Dictionary<string, Tensor> LoadSafetensors(Stream stream, string path)
    {
        var lengthBytes = new byte[8];
        if (stream.Read(lengthBytes, 0, 8) != 8) throw new CheckpointException($"{path}: truncated safetensors file (no header length).");
        var headerLength = BitConverter.ToUInt64(lengthBytes);
        if (headerLength > 100_000_000 || (long)headerLength > stream.Length - 8)
            throw new CheckpointException($"{path}: safetensors header length {headerLength} exceeds the file (truncated or not safetensors).");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        JsonDocument json;
        try { json = JsonDocument.Parse(Encoding.UTF8.GetString(header)); }
        catch (JsonException e) { throw new CheckpointException($"{path}: the safetensors header is not valid JSON: {e.Message}", e); }
        var dataStart = 8 + (long)headerLength;
        var result = new Dictionary<string, Tensor>();
        using (json)
        {
            foreach (var property in json.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__") continue;
                var name = property.Name;
                try
                {
                    var dtype = property.Value.GetProperty("dtype").GetString() switch
                    {
                        "F32" => ScalarType.Float32, "F64" => ScalarType.Float64, "F16" => ScalarType.Float16,
                        "BF16" => ScalarType.BFloat16, "I64" => ScalarType.Int64, "I32" => ScalarType.Int32,
                        "I16" => ScalarType.Int16, "I8" => ScalarType.Int8, "U8" => ScalarType.Byte, "BOOL" => ScalarType.Bool,
                        var other => throw new CheckpointException($"{path}: tensor '{name}' has unsupported dtype {other}."),
                    };
                    var shape = property.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                    var offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                    var count = shape.Aggregate(1L, (a, b) => a * b);
                    if (offsets.Length != 2 || offsets[1] - offsets[0] != count * ElementSize(dtype) || offsets[0] < 0)
                        throw new CheckpointException($"{path}: tensor '{name}': data_offsets do not match its shape and dtype.");
                    if (dataStart + offsets[1] > stream.Length)
                        throw new CheckpointException($"{path}: tensor '{name}' reaches past the end of the file (truncated).");
                    stream.Position = dataStart + offsets[0];
                    var bytes = new byte[offsets[1] - offsets[0]];
                    stream.ReadExactly(bytes);
                    using var flat = FromBytes(bytes, dtype, path, name);
                    result[name] = flat.reshape(shape).clone();
                }
                catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
                {
                    throw new CheckpointException($"{path}: tensor '{name}' has a malformed header entry: {e.Message}", e);
                }
            }
        }
        return result;
    }
}
