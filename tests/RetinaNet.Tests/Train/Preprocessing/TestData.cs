using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SkiaSharp;

namespace RetinaNet.Tests.Train.Preprocessing;

/// <summary>Tiny images and dataset folders written for a test and deleted afterwards.</summary>
internal sealed class TestData : IDisposable
{
    public TestData() => Directory.CreateDirectory(folder);

    private readonly string folder = Path.Combine(Path.GetTempPath(), "retinanet-data-tests-" + Guid.NewGuid().ToString("N"));

    public string Folder => folder;

    public string PathOf(string relative) => Path.Combine(folder, relative);

    public string WriteText(string relative, string text)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>An 8-bit RGB PNG (or JPEG by extension) whose pixel (x, y) has the colour <paramref name="rgb"/> gives.</summary>
    public string WriteImage(string relative, int width, int height, Func<int, int, (byte r, byte g, byte b)> rgb)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            var (r, g, b) = rgb(x, y);
            bitmap.SetPixel(x, y, new SKColor(r, g, b));
        }
        var format = path.EndsWith(".jpg") ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png;
        using var data = bitmap.Encode(format, 100);
        using var stream = File.Create(path);
        data.SaveTo(stream);
        return path;
    }

    /// <summary>A plain grey image of the given size.</summary>
    public string WriteImage(string relative, int width, int height) => WriteImage(relative, width, height, (_, _) => (128, 128, 128));

    /// <summary>A grayscale PNG with 8 or 16 bits per sample, encoded by hand (Skia cannot write 16-bit gray).</summary>
    public string WriteGrayPng(string relative, int width, int height, int bitDepth, Func<int, int, int> value)
    {
        int bytesPerSample = bitDepth / 8;
        var raw = new MemoryStream();
        for (int y = 0; y < height; y++)
        {
            raw.WriteByte(0); // filter: none
            for (int x = 0; x < width; x++)
            {
                int v = value(x, y);
                if (bytesPerSample == 2) raw.WriteByte((byte)(v >> 8));
                raw.WriteByte((byte)v);
            }
        }
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) raw.WriteTo(z);

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = (byte)bitDepth; // colour type 0 (gray), compression, filter, interlace all 0

        var png = new MemoryStream();
        png.Write(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", compressed.ToArray());
        WriteChunk(png, "IEND", Array.Empty<byte>());
        var path = PathOf(relative);
        File.WriteAllBytes(path, png.ToArray());
        return path;
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var body = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(body);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(body));
        png.Write(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    public void Dispose()
    {
        try { Directory.Delete(folder, recursive: true); }
        catch (IOException) { /* best effort */ }
    }
}
