using System.IO.MemoryMappedFiles;
using PureHDF;

namespace RetinaNet.Core;

/// <summary>
/// Keeps every failure while reading a Keras file a <see cref="KerasFileException"/> that names the file: checks the
/// HDF5 signature and length up front (clear messages for the common mistakes), bounds what a damaged header can
/// make us allocate, and wraps whatever the HDF5 reader or the model rebuild throws.
/// </summary>
internal static class H5Guard
{
    static readonly byte[] signature = { 0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a };

    /// <summary>
    /// Fails unless the file exists, starts with an HDF5 superblock and is as long as that superblock says; returns
    /// the superblock's offset.
    /// </summary>
    public static int CheckFile(string path)
    {
        if (Directory.Exists(path))
            throw new KerasFileException(path,
                $"'{path}' is a folder (a TensorFlow SavedModel?). Only Keras HDF5 (.h5) files can be loaded.");
        if (!File.Exists(path)) throw new KerasFileException(path, $"No file or directory found at {path}.");
        byte[] head;
        long length;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            length = stream.Length;
            head = new byte[(int)Math.Min(length, 1 << 16)];
            stream.ReadExactly(head);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KerasFileException(path, $"Cannot read '{path}': {e.Message}", e);
        }

        // The superblock sits at 0 or, after a user block, at 512, 1024, 2048, ... bytes.
        var offset = -1;
        for (var at = 0; at + signature.Length <= head.Length; at = at == 0 ? 512 : at * 2)
            if (head.AsSpan(at, signature.Length).SequenceEqual(signature)) { offset = at; break; }
        if (offset < 0)
            throw new KerasFileException(path,
                $"'{path}' is not an HDF5 file (it does not start with the HDF5 signature). " +
                "Keras .h5 files are HDF5; '.keras' zip archives and SavedModel folders are other formats.");

        var end = EndOfFileAddress(head, offset);
        if (end is null)
            throw new KerasFileException(path, $"'{path}' is truncated or damaged: its HDF5 superblock is incomplete or invalid.");
        if ((ulong)length < end)
            throw new KerasFileException(path,
                $"'{path}' is truncated: its HDF5 superblock says the data runs to byte {end}, but the file has only {length} bytes.");
        return offset;
    }

    /// <summary>The superblock's end-of-file address (HDF5 spec, superblock versions 0–3), or null if unreadable.</summary>
    static ulong? EndOfFileAddress(byte[] head, int offset)
    {
        if (head.Length < offset + 14) return null;
        int version = head[offset + 8];
        int sizeOfOffsets = version switch { 0 or 1 => head[offset + 13], 2 or 3 => head[offset + 9], _ => 0 };
        if (sizeOfOffsets is not (2 or 4 or 8)) return null;
        // v0: 24 bytes of fixed fields, v1: 28; v2/v3: 12. Then base address, one more address, end-of-file address.
        var addresses = offset + version switch { 0 => 24, 1 => 28, _ => 12 };
        var eofAt = addresses + 2 * sizeOfOffsets;
        if (head.Length < eofAt + sizeOfOffsets) return null;
        ulong value = 0;
        for (int i = sizeOfOffsets - 1; i >= 0; i--) value = (value << 8) | head[eofAt + i];
        return value;
    }

    /// <summary>Number of elements of a dataspace (saturating, so a damaged header cannot overflow it).</summary>
    public static long ElementCount(IH5Dataspace space)
    {
        if (space.Type == H5DataspaceType.Scalar) return 1;
        if (space.Type == H5DataspaceType.Null) return 0;
        long count = 1;
        foreach (var d in space.Dimensions)
        {
            if (d > long.MaxValue || count != 0 && (long)d > long.MaxValue / count) return long.MaxValue;
            count *= (long)d;
        }
        return count;
    }

    /// <summary>
    /// Runs one phase of loading and turns any failure into a <see cref="KerasFileException"/> naming the file.
    /// The HDF5 reader throws many exception types on damaged input, so everything is caught here.
    /// </summary>
    /// <param name="path">The file, for messages.</param>
    /// <param name="action">The phase.</param>
    /// <param name="failure">What an unexpected exception means in this phase; by default, a damaged file.</param>
    public static T Run<T>(string path, Func<T> action, string? failure = null)
    {
        try
        {
            return action();
        }
        catch (KerasFileException)
        {
            throw;
        }
        catch (KerasConfigException e)
        {
            throw new KerasFileException(path, $"Cannot load the model in '{path}': {e.Message}", e);
        }
        catch (LayerInputException e)
        {
            throw new KerasFileException(path, $"Cannot load the model in '{path}': its config describes layers that do not fit together: {e.Message}", e);
        }
        catch (Exception e)
        {
            throw new KerasFileException(path, failure is null
                ? $"Cannot read '{path}': the file is damaged or is not a Keras HDF5 file ({e.GetType().Name}: {e.Message})."
                : $"Cannot load the model in '{path}': {failure} ({e.GetType().Name}: {e.Message}).", e);
        }
    }

    // Files up to this size are memory-mapped: PureHDF then reads headers about ten times faster than through a
    // FileStream (it seeks for every small read), the checksums are verified on the mapped bytes, and no managed
    // array the size of the file is made. (Span lengths are ints, hence the limit; larger files are streamed.)
    const long MappedLimit = int.MaxValue;

    /// <summary>Opens the file for reading after <see cref="CheckFile"/>.</summary>
    public static NativeFileHandle Open(string path)
    {
        var superblock = CheckFile(path);
        return Run(path, () =>
        {
            var length = new FileInfo(path).Length;
            if (length > MappedLimit)
                return new NativeFileHandle(H5File.Open(path, FileMode.Open, FileAccess.Read, FileShare.Read), length);
            var mapping = MemoryMappedFile.CreateFromFile(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read),
                mapName: null, capacity: 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            try
            {
                VerifyChecksums(mapping, length, superblock, path);
                var stream = mapping.CreateViewStream(0, length, MemoryMappedFileAccess.Read);
                return new NativeFileHandle(H5File.Open(stream, leaveOpen: false), length, mapping);
            }
            catch
            {
                mapping.Dispose();
                throw;
            }
        });
    }

    static unsafe void VerifyChecksums(MemoryMappedFile mapping, long length, int superblock, string path)
    {
        using var view = mapping.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        try
        {
            H5Checksums.Verify(new ReadOnlySpan<byte>(start + view.PointerOffset, (int)length), superblock, path);
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }
}

/// <summary>An open HDF5 file, its length (the bound for sizes read from its headers) and its mapping, if mapped.</summary>
internal sealed record NativeFileHandle(PureHDF.VOL.Native.NativeFile File, long Length, IDisposable? Mapping = null) : IDisposable
{
    public void Dispose()
    {
        File.Dispose();
        Mapping?.Dispose();
    }
}
