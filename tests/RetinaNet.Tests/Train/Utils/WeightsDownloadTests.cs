using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using RetinaNet.Train.Utils;

namespace RetinaNet.Tests.Train.Utils;

/// <summary>The download code runs for real against a server on the loopback interface.</summary>
public class WeightsDownloadTests
{
    string cache = null!;

    [SetUp]
    public void MakeCache() => cache = Directory.CreateTempSubdirectory("weights-cache").FullName;

    [TearDown]
    public void RemoveCache() => Directory.Delete(cache, true);

    [Test]
    public void Downloads_VerifiesMd5_AndThenServesFromTheCache()
    {
        var payload = RandomNumberGenerator.GetBytes(50_000);
        var md5 = Convert.ToHexStringLower(MD5.HashData(payload));
        using var server = new OneFileServer(payload);

        var path = WeightsDownload.GetFile(server.Url, "w.h5", md5, cache);
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(payload));
        Assert.That(server.Requests, Is.EqualTo(1));

        Assert.That(WeightsDownload.GetFile(server.Url, "w.h5", md5, cache), Is.EqualTo(path));
        Assert.That(server.Requests, Is.EqualTo(1), "a cached file with the right md5 is not downloaded again");
    }

    [Test]
    public void WrongMd5_IsRejected_AndNothingIsKept()
    {
        using var server = new OneFileServer(new byte[] { 1, 2, 3 });
        var e = Assert.Throws<WeightsDownloadException>(() => WeightsDownload.GetFile(server.Url, "w.h5", "00000000000000000000000000000000", cache));
        Assert.That(e!.Message, Does.Contain("md5").And.Contain("00000000000000000000000000000000"));
        Assert.That(Directory.GetFiles(cache), Is.Empty);
    }

    [Test]
    public void Offline_GivesAClearMessage()
    {
        // A port nobody listens on: the connection is refused at once, as it would be without network access.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var e = Assert.Throws<WeightsDownloadException>(() =>
            WeightsDownload.GetFile($"http://127.0.0.1:{port}/ResNet-50-model.keras.h5", "ResNet-50-model.keras.h5", null, cache));
        Assert.That(e!.Message, Does.Contain("Could not download").And.Contain("--weights").And.Contain(cache));
    }

    sealed class OneFileServer : IDisposable
    {
        readonly HttpListener listener = new();
        readonly Task loop;
        public int Requests;

        public OneFileServer(byte[] payload)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Url = $"http://127.0.0.1:{port}/file.h5";
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener.Start();
            loop = Task.Run(async () =>
            {
                while (listener.IsListening)
                {
                    HttpListenerContext context;
                    try { context = await listener.GetContextAsync(); } catch { return; }
                    Interlocked.Increment(ref Requests);
                    context.Response.ContentLength64 = payload.Length;
                    await context.Response.OutputStream.WriteAsync(payload);
                    context.Response.Close();
                }
            });
        }

        public string Url { get; }

        public void Dispose()
        {
            listener.Stop();
            listener.Close();
        }
    }
}
