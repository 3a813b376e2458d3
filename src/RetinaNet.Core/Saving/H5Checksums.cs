using System.Buffers.Binary;
using System.Text;

namespace RetinaNet.Core;

/// <summary>
/// Verifies the metadata checksums of an HDF5 file, as the HDF5 library (and so h5py) does when it reads it:
/// the version 2/3 superblock and every version 2 object header chunk (<c>OHDR</c>, <c>OCHK</c>) reachable from the
/// root group through hard links (HDF5 spec III.A.2, IV.A.1.2; Jenkins' lookup3 hash). Files in the oldest format
/// (superblock 0/1, object header v1 — what h5py writes by default) carry no checksums and pass untouched. Raw
/// dataset bytes have no checksum in either format; <see cref="H5WeightsReader"/> refuses non-finite weights.
/// </summary>
internal static class H5Checksums
{
    const int MaxObjects = 1_000_000;

    /// <summary>Throws a <see cref="KerasFileException"/> naming the first structure whose checksum fails.</summary>
    public static void Verify(ReadOnlySpan<byte> file, int superblockAt, string path)
    {
        var version = file[superblockAt + 8];
        if (version < 2) return;
        int o = file[superblockAt + 9];
        var checksumAt = superblockAt + 12 + 4 * o;
        if (file.Length < checksumAt + 4) return; // CheckFile reports truncation
        if (Lookup3(file.Slice(superblockAt, checksumAt - superblockAt)) != BinaryPrimitives.ReadUInt32LittleEndian(file[checksumAt..]))
            throw Damaged(path, "its superblock");
        var root = ReadAddress(file, superblockAt + 12 + 3 * o, o);

        var pending = new Stack<ulong>();
        var seen = new HashSet<ulong>();
        pending.Push(root);
        while (pending.Count > 0 && seen.Count < MaxObjects)
        {
            var address = pending.Pop();
            if (!seen.Add(address) || address >= (ulong)file.Length) continue;
            VerifyObjectHeader(file, (long)address, o, path, pending);
        }
    }

    static void VerifyObjectHeader(ReadOnlySpan<byte> file, long at, int o, string path, Stack<ulong> links)
    {
        if (!file.Slice((int)at, Math.Min(4, file.Length - (int)at)).SequenceEqual("OHDR"u8))
        {
            if (file[(int)at] == 1) return; // a version 1 header: no checksum
            throw new KerasFileException(path,
                $"'{path}' is damaged: a link points to byte {at}, where there is no HDF5 object header. Use an earlier copy of the file.");
        }
        var p = (int)at + 4;
        if (file.Length < p + 2) throw Damaged(path, $"the object header at byte {at}");
        var flags = file[p + 1];
        p += 2;
        if ((flags & 0x20) != 0) p += 16; // access, modification, change, birth times
        if ((flags & 0x10) != 0) p += 4;  // attribute phase change values
        var sizeBytes = 1 << (flags & 0x03);
        if (file.Length < p + sizeBytes) throw Damaged(path, $"the object header at byte {at}");
        var chunkSize = (long)ReadAddress(file, p, sizeBytes);
        p += sizeBytes;
        var chunks = new Queue<(long start, long messages, long length)>();
        chunks.Enqueue((at, p, chunkSize));
        var first = true;
        while (chunks.Count > 0)
        {
            var (start, messages, length) = chunks.Dequeue();
            var end = messages + length; // the checksum follows the messages
            if (length < 0 || end + 4 > file.Length || end < messages)
                throw Damaged(path, $"the object header at byte {at}");
            var what = first ? $"the object header at byte {at}" : $"an object header continuation at byte {start}";
            if (Lookup3(file.Slice((int)start, (int)(end - start))) != BinaryPrimitives.ReadUInt32LittleEndian(file[(int)end..]))
                throw Damaged(path, what);
            ReadMessages(file, messages, end, flags, o, chunks, links);
            first = false;
        }
    }

    /// <summary>Walks a chunk's messages: continuation chunks to verify next, hard links to follow.</summary>
    static void ReadMessages(ReadOnlySpan<byte> file, long p, long end, byte headerFlags, int o,
        Queue<(long, long, long)> chunks, Stack<ulong> links)
    {
        var prefix = 4 + ((headerFlags & 0x04) != 0 ? 2 : 0);
        while (p + prefix <= end)
        {
            var type = file[(int)p];
            var size = BinaryPrimitives.ReadUInt16LittleEndian(file[(int)(p + 1)..]);
            var data = p + prefix;
            if (data + size > end) break; // gap at the end of a chunk
            var body = file.Slice((int)data, size);
            if (type == 0x10 && size >= 2 * o)
            {
                // Continuation: an OCHK chunk (signature, messages, checksum) of the given length.
                var address = (long)ReadAddress(body, 0, o);
                var length = (long)ReadAddress(body, o, o);
                if (address + 4 <= file.Length && file.Slice((int)address, 4).SequenceEqual("OCHK"u8))
                    chunks.Enqueue((address, address + 4, length - 8));
            }
            else if (type == 0x06 && HardLink(body, o) is ulong target)
                links.Push(target);
            p = data + size;
        }
    }

    /// <summary>The object address of a Link message (spec IV.A.2.g) when it is a hard link.</summary>
    static ulong? HardLink(ReadOnlySpan<byte> m, int o)
    {
        if (m.Length < 2 || m[0] != 1) return null;
        var flags = m[1];
        var p = 2;
        byte linkType = 0;
        if ((flags & 0x08) != 0) linkType = m[p++];
        if ((flags & 0x04) != 0) p += 8;
        if ((flags & 0x10) != 0) p++;
        var lengthBytes = 1 << (flags & 0x03);
        if (m.Length < p + lengthBytes) return null;
        var nameLength = (long)ReadAddress(m, p, lengthBytes);
        p += lengthBytes;
        if (linkType != 0 || m.Length < p + nameLength + o) return null;
        return ReadAddress(m, p + (int)nameLength, o);
    }

    static ulong ReadAddress(ReadOnlySpan<byte> bytes, int at, int size)
    {
        ulong value = 0;
        for (int i = size - 1; i >= 0; i--) value = (value << 8) | bytes[at + i];
        return value;
    }

    static KerasFileException Damaged(string path, string what) =>
        new(path, $"'{path}' is damaged: {what} fails its HDF5 checksum (h5py reports this as 'incorrect metadata checksum'). Use an earlier copy of the file.");

    /// <summary>Bob Jenkins' lookup3 <c>hashlittle</c> with initial value 0, as the HDF5 library checksums metadata.</summary>
    internal static uint Lookup3(ReadOnlySpan<byte> key)
    {
        uint a, b, c;
        a = b = c = 0xdeadbeef + (uint)key.Length;
        var k = key;
        while (k.Length > 12)
        {
            a += BinaryPrimitives.ReadUInt32LittleEndian(k);
            b += BinaryPrimitives.ReadUInt32LittleEndian(k[4..]);
            c += BinaryPrimitives.ReadUInt32LittleEndian(k[8..]);
            Mix(ref a, ref b, ref c);
            k = k[12..];
        }
        if (k.Length == 0) return c;
        Span<byte> tail = stackalloc byte[12];
        tail.Clear();
        k.CopyTo(tail);
        a += BinaryPrimitives.ReadUInt32LittleEndian(tail);
        b += BinaryPrimitives.ReadUInt32LittleEndian(tail[4..]);
        c += BinaryPrimitives.ReadUInt32LittleEndian(tail[8..]);
        Final(ref a, ref b, ref c);
        return c;
    }

    static uint Rot(uint x, int k) => (x << k) | (x >> (32 - k));

    static void Mix(ref uint a, ref uint b, ref uint c)
    {
        a -= c; a ^= Rot(c, 4); c += b;
        b -= a; b ^= Rot(a, 6); a += c;
        c -= b; c ^= Rot(b, 8); b += a;
        a -= c; a ^= Rot(c, 16); c += b;
        b -= a; b ^= Rot(a, 19); a += c;
        c -= b; c ^= Rot(b, 4); b += a;
    }

    static void Final(ref uint a, ref uint b, ref uint c)
    {
        c ^= b; c -= Rot(b, 14);
        a ^= c; a -= Rot(c, 11);
        b ^= a; b -= Rot(a, 25);
        c ^= b; c -= Rot(b, 16);
        a ^= c; a -= Rot(c, 4);
        b ^= a; b -= Rot(a, 14);
        c ^= b; c -= Rot(b, 24);
    }
}
