using System.Security.Cryptography;

namespace RetinaNet.Train.Utils;

/// <summary>A download that could not be completed (offline, wrong checksum, HTTP error).</summary>
public class WeightsDownloadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Keras' <c>get_file</c> for pretrained weights: files are cached in <c>~/.keras/models</c> (shared with Python
/// Keras; override with the <c>RETINANET_CACHE_DIR</c> environment variable), checked against an md5, and
/// downloaded to a temporary file that is renamed only once complete.
/// </summary>
public static class WeightsDownload
{
    /// <summary>keras-retinanet's ImageNet ResNet weights: URL and md5 per depth (reference §1.2).</summary>
    public static (string url, string fileName, string md5) ResNetImageNet(int depth) => depth switch
    {
        50 => (Url(50), "ResNet-50-model.keras.h5", "3e9f4e4f77bbe2c9bec13b53ee1c2319"),
        101 => (Url(101), "ResNet-101-model.keras.h5", "05dc86924389e5b401a9ea0348a3213c"),
        152 => (Url(152), "ResNet-152-model.keras.h5", "6ee11ef2b135592f8031058820bb9e71"),
        _ => throw new ArgumentException($"keras-retinanet publishes ImageNet weights for resnet50, resnet101 and resnet152 only (not resnet{depth})."),
    };

    static string Url(int depth) => $"https://github.com/fizyr/keras-models/releases/download/v0.0.1/ResNet-{depth}-model.keras.h5";

    /// <summary>The cache folder.</summary>
    public static string CacheDir =>
        Environment.GetEnvironmentVariable("RETINANET_CACHE_DIR")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".keras", "models");

    /// <summary>
    /// Returns the cached file, downloading it first if it is missing or its checksum differs. As Keras' <c>get_file</c>,
    /// a 64-digit checksum is sha256, otherwise md5.
    /// </summary>
    public static string GetFile(string url, string fileName, string? md5, string? cacheDir = null, TimeSpan? timeout = null)
    {
        cacheDir ??= CacheDir;
        Directory.CreateDirectory(cacheDir);
        var path = Path.Combine(cacheDir, fileName);
        if (File.Exists(path) && (md5 is null || Hash(path, md5.Length) == md5)) return path;

        var temp = path + ".part";
        try
        {
            using var client = new HttpClient { Timeout = timeout ?? TimeSpan.FromMinutes(10) };
            using var response = client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
                throw new WeightsDownloadException($"Could not download {url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
            using (var source = response.Content.ReadAsStream())
            using (var target = File.Create(temp))
                source.CopyTo(target);
            if (md5 is not null && Hash(temp, md5.Length) is var actual && actual != md5)
                throw new WeightsDownloadException($"The file downloaded from {url} has {(md5.Length == 64 ? "sha256" : "md5")} {actual}, expected {md5}; it was not kept.");
            File.Move(temp, path, overwrite: true);
            return path;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            throw new WeightsDownloadException(
                $"Could not download {url} ({e.Message}). Without network access, download {fileName} elsewhere, " +
                $"put it in {cacheDir} (or pass --weights PATH), or train with --no-weights.", e);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    static string Hash(string path, int digits)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(digits == 64 ? SHA256.HashData(stream) : MD5.HashData(stream));
    }
}
