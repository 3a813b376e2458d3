using System.Runtime.InteropServices;
using SkiaSharp;

namespace RetinaNet.Inference;

/// <summary>
/// An image as keras-retinanet reads it: (H, W, 3) channels-last, BGR, float values 0..255, in a plain array.
/// Decoding follows RetinaNet.Train's <c>ImageIO.read_image_bgr</c> (SkiaSharp, RGBA unpremultiplied, alpha dropped,
/// no colour management, EXIF orientation ignored), so both engines see the same pixels.
/// </summary>
/// <param name="Height">Rows.</param>
/// <param name="Width">Columns.</param>
/// <param name="Pixels">H·W·3 values, row-major, BGR.</param>
public sealed record BgrImage(int Height, int Width, float[] Pixels)
{
    /// <summary>Decodes an image file (JPEG, PNG and the other formats Skia reads).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image.</exception>
    public static BgrImage Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"image file not found: '{path}'", path);
        using var codec = SKCodec.Create(path, out var result)
            ?? throw new InvalidDataException($"cannot read image '{path}': {Describe(result)}");
        return Decode(codec, path);
    }

    /// <summary>Decodes an encoded image (the bytes of a JPEG, PNG, ... file).</summary>
    /// <exception cref="InvalidDataException">The bytes are not a decodable image.</exception>
    public static BgrImage Decode(byte[] encoded)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data) ?? throw new InvalidDataException("cannot read image bytes: not a supported image format");
        return Decode(codec, "image bytes");
    }

    static BgrImage Decode(SKCodec codec, string what)
    {
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize];
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        SKCodecResult result;
        try { result = codec.GetPixels(info, handle.AddrOfPinnedObject()); }
        finally { handle.Free(); }
        if (result != SKCodecResult.Success) throw new InvalidDataException($"cannot decode {what}: {Describe(result)}");
        var pixels = new float[info.Width * info.Height * 3];
        for (int p = 0, q = 0; p < pixels.Length; p += 3, q += 4)
        {
            pixels[p] = rgba[q + 2];
            pixels[p + 1] = rgba[q + 1];
            pixels[p + 2] = rgba[q];
        }
        return new BgrImage(info.Height, info.Width, pixels);
    }

    static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput => "the image data is truncated or corrupt",
        SKCodecResult.Unimplemented => "unsupported image format",
        _ => $"not a supported image file ({result})",
    };
}
