using RetinaNet.Core;
using System.Runtime.InteropServices;
using SkiaSharp;
using static TorchSharp.torch;

namespace RetinaNet.Train.Utils;

/// <summary>
/// Reading and writing images as (H, W, 3) float32 tensors in BGR channel order, the layout keras-retinanet's
/// <c>read_image_bgr</c> produces (values 0..255, not normalised).
/// </summary>
/// <remarks>
/// Decoding goes through SkiaSharp, and mirrors what keras-retinanet gets from PIL's <c>convert('RGB')</c>:
/// grayscale and palette images are expanded to three equal channels, an alpha channel is dropped without
/// compositing (pixels are decoded unpremultiplied), no ICC colour management is applied, and the EXIF
/// orientation tag is ignored (PIL does not apply it either; annotation coordinates refer to the stored pixels).
/// 16-bit PNGs are scaled to 8 bits by Skia (PIL would keep only the high byte of 16-bit RGB and clip 16-bit
/// grayscale at 255; scaling keeps such images usable).
/// </remarks>
public static class ImageIO
{
    /// <summary>Reads an image file (JPEG, PNG and the other formats Skia decodes) as an (H, W, 3) BGR float32 tensor.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image, or its data is truncated.</exception>
    public static Tensor read_image_bgr(string path)
    {
        using var pixels = read_image_bgr_uint8(path);
        return pixels.to_type(ScalarType.Float32);
    }

    /// <summary>
    /// Reads an image file as an (H, W, 3) BGR uint8 tensor (what keras-retinanet's <c>read_image_bgr</c> returns).
    /// Skia decodes straight into the tensor's native memory, so a large photo costs 4 bytes per pixel and no managed
    /// copy; the result is a (non-contiguous) view of the B, G and R planes of that memory.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image, or its data is truncated.</exception>
    public static Tensor read_image_bgr_uint8(string path)
    {
        using var codec = OpenCodec(path);
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Bgra8888, SKAlphaType.Unpremul);
        using var bgra = empty(new long[] { info.Height, info.Width, 4 }, ScalarType.Byte);
        SKCodecResult result;
        // Tensor.bytes spans the CPU tensor's own native memory; it does not move while the tensor lives.
        unsafe
        {
            fixed (byte* pixels = bgra.bytes) result = codec.GetPixels(info, (IntPtr)pixels);
        }
        if (result != SKCodecResult.Success)
            throw new InvalidDataException($"cannot decode image '{path}': {Describe(result)}");
        // A view of the first three channels: copying them out would hold 7 bytes per pixel for a moment.
        return bgra.narrow(2, 0, 3);
    }

    /// <summary>Reads only the header of an image file: its (width, height) in pixels (PIL's <c>Image.open(path).size</c>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image.</exception>
    public static (int width, int height) read_image_size(string path)
    {
        using var codec = OpenCodec(path);
        return (codec.Info.Width, codec.Info.Height);
    }

    /// <summary>
    /// Writes an (H, W, 3) BGR image with values in 0..255 (rounded and clipped) as PNG, or as JPEG (quality 95, the
    /// OpenCV <c>imwrite</c> default) when the file name ends in .jpg or .jpeg. Missing folders are created.
    /// </summary>
    public static void write_image(string path, Tensor image)
    {
        if (image.dim() != 3 || image.shape[2] != 3)
            throw new ArgumentException($"write_image expects an (H, W, 3) BGR image, got shape [{string.Join(", ", image.shape)}].");
        int height = (int)image.shape[0], width = (int)image.shape[1];
        byte[] bgr;
        using (var scope = NewDisposeScope())
            bgr = image.detach().cpu().to_type(ScalarType.Float32).round().clamp(HeldScalar.OfInteger(0), HeldScalar.OfInteger(255)).to_type(ScalarType.Byte).contiguous().data<byte>().ToArray();

        var rgba = new byte[height * width * 4];
        for (int p = 0, q = 0; p < bgr.Length; p += 3, q += 4)
        {
            rgba[q] = bgr[p + 2];
            rgba[q + 1] = bgr[p + 1];
            rgba[q + 2] = bgr[p];
            rgba[q + 3] = 255;
        }

        var extension = Path.GetExtension(path).ToLowerInvariant();
        var (format, quality) = extension is ".jpg" or ".jpeg" ? (SKEncodedImageFormat.Jpeg, 95) : (SKEncodedImageFormat.Png, 100);
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var skImage = SKImage.FromPixelCopy(info, rgba);
        using var data = skImage.Encode(format, quality)
            ?? throw new IOException($"cannot encode image '{path}' as {format}.");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        using var stream = File.Create(path);
        data.SaveTo(stream);
    }

    private static SKCodec OpenCodec(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"image file not found: '{path}'", path);
        var codec = SKCodec.Create(path, out var result);
        if (codec is null)
            throw new InvalidDataException($"cannot read image '{path}': {Describe(result)}");
        return codec;
    }

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput => "the image data is truncated or corrupt",
        SKCodecResult.Unimplemented => "unsupported image format",
        _ => $"not a supported image file ({result})",
    };
}
