using System.Text;

namespace RetinaNet.Train.Callbacks;

/// <summary>
/// Writes TensorBoard event files (<c>events.out.tfevents.*</c>) with scalar summaries, so
/// <c>tensorboard --logdir</c> shows our losses and mAP. The format is TFRecord framing around <c>Event</c>
/// protocol buffers; the few fields needed are encoded by hand.
/// </summary>
public sealed class TensorBoardEventWriter : IDisposable
{
    readonly FileStream stream;

    /// <summary>Creates the event file in <paramref name="logDir"/> and writes the version header.</summary>
    public TensorBoardEventWriter(string logDir)
    {
        Directory.CreateDirectory(logDir);
        var seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        path = Path.Combine(logDir, $"events.out.tfevents.{seconds}.{Environment.MachineName}");
        stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        var header = new ProtoWriter();
        header.Double(1, Now());
        header.String(3, "brain.Event:2");
        WriteRecord(header.ToArray());
    }

    /// <summary>The event file's path.</summary>
    public string path { get; }

    /// <summary>Writes one scalar (<c>tag</c> at <c>step</c>).</summary>
    public void Scalar(string tag, double value, long step)
    {
        var summaryValue = new ProtoWriter();
        summaryValue.String(1, tag);
        summaryValue.Float(2, (float)value);
        var summary = new ProtoWriter();
        summary.Message(1, summaryValue.ToArray());
        var evt = new ProtoWriter();
        evt.Double(1, Now());
        evt.Varint(2, (ulong)step);
        evt.Message(5, summary.ToArray());
        WriteRecord(evt.ToArray());
    }

    /// <summary>Flushes to disk.</summary>
    public void Flush() => stream.Flush();

    /// <inheritdoc/>
    public void Dispose() => stream.Dispose();

    static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    // TFRecord: length (u64), masked CRC32C of the length, data, masked CRC32C of the data.
    void WriteRecord(byte[] data)
    {
        var length = BitConverter.GetBytes((ulong)data.Length);
        stream.Write(length);
        stream.Write(BitConverter.GetBytes(Crc32C.Masked(length)));
        stream.Write(data);
        stream.Write(BitConverter.GetBytes(Crc32C.Masked(data)));
    }

    sealed class ProtoWriter
    {
        readonly MemoryStream buffer = new();

        public void Varint(int field, ulong value) { Key(field, 0); Raw(value); }
        public void Double(int field, double value) { Key(field, 1); buffer.Write(BitConverter.GetBytes(value)); }
        public void Float(int field, float value) { Key(field, 5); buffer.Write(BitConverter.GetBytes(value)); }
        public void String(int field, string value) => Message(field, Encoding.UTF8.GetBytes(value));
        public void Message(int field, byte[] value) { Key(field, 2); Raw((ulong)value.Length); buffer.Write(value); }
        public byte[] ToArray() => buffer.ToArray();

        void Key(int field, int wireType) => Raw((ulong)((field << 3) | wireType));

        void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                buffer.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            buffer.WriteByte((byte)value);
        }
    }
}

/// <summary>CRC-32C (Castagnoli), as TFRecord files use, with TensorFlow's masking.</summary>
public static class Crc32C
{
    static readonly uint[] table = Enumerable.Range(0, 256).Select(i =>
    {
        var c = (uint)i;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <summary>The CRC-32C of the bytes.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    /// <summary>TensorFlow's masked CRC: rotate right by 15 and add 0xa282ead8.</summary>
    public static uint Masked(ReadOnlySpan<byte> data)
    {
        var crc = Compute(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }
}
