using System.IO.Compression;
using System.Text;
using RetinaNet.Layers.TorchVision.Checkpoints;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers.TorchVision;

/// <summary>
/// The state_dict reader treats checkpoints as untrusted: pickles are built here byte by byte in PyTorch's zip
/// layout (archive/data.pkl + archive/data/N), the safe ones load, any other global is refused by name, and
/// truncated or malformed files give a CheckpointException naming the file.
/// </summary>
public class StateDictTests
{
    string folder = "";

    [SetUp]
    public void CreateFolder() => Directory.CreateDirectory(folder = Path.Combine(Path.GetTempPath(), $"statedict-{Guid.NewGuid():N}"));

    [TearDown]
    public void DeleteFolder() => Directory.Delete(folder, true);

    static byte[] Text(string s) => Encoding.ASCII.GetBytes(s);
    static byte[] Unicode(string s) => new byte[] { 0x8c, (byte)s.Length }.Concat(Text(s)).ToArray();
    static byte[] Global(string module, string name) => Text($"c{module}\n{name}\n");

    /// <summary>OrderedDict({"w": FloatTensor 2×2 from storage "0"}) as torch.save pickles it (protocol 2).</summary>
    static byte[] SafePickle()
    {
        var p = new List<byte> { 0x80, 2 };
        p.AddRange(Global("collections", "OrderedDict")); p.Add((byte)')'); p.Add((byte)'R');
        p.Add((byte)'('); p.AddRange(Unicode("w"));
        p.AddRange(Global("torch._utils", "_rebuild_tensor_v2")); p.Add((byte)'(');
        p.Add((byte)'('); p.AddRange(Unicode("storage")); p.AddRange(Global("torch", "FloatStorage"));
        p.AddRange(Unicode("0")); p.AddRange(Unicode("cpu")); p.AddRange(new byte[] { (byte)'K', 4 }); p.Add((byte)'t'); p.Add((byte)'Q');
        p.AddRange(new byte[] { (byte)'K', 0, (byte)'K', 2, (byte)'K', 2, 0x86, (byte)'K', 2, (byte)'K', 1, 0x86, 0x89 });
        p.AddRange(Global("collections", "OrderedDict")); p.Add((byte)')'); p.Add((byte)'R');
        p.Add((byte)'t'); p.Add((byte)'R');
        p.Add((byte)'u'); p.Add((byte)'.');
        return p.ToArray();
    }

    string WriteZip(string name, byte[] pickle, bool withStorage = true)
    {
        var path = Path.Combine(folder, name);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using (var s = zip.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open()) s.Write(pickle);
            if (withStorage)
                using (var s = zip.CreateEntry("archive/data/0", CompressionLevel.NoCompression).Open())
                    foreach (var v in new[] { 1f, 2f, 3f, 4f }) s.Write(BitConverter.GetBytes(v));
        }
        return path;
    }

    [Test]
    public void SafePickle_LoadsTensorsWithTheirShapes()
    {
        var state = StateDict.Load(WriteZip("safe.pth", SafePickle()));
        Assert.That(state.Keys, Is.EqualTo(new[] { "w" }));
        Assert.That(state["w"].shape, Is.EqualTo(new long[] { 2, 2 }));
        Assert.That(state["w"].data<float>().ToArray(), Is.EqualTo(new[] { 1f, 2f, 3f, 4f }));
    }

    [TestCase("os", "system")]
    [TestCase("builtins", "eval")]
    [TestCase("argparse", "Namespace")]
    public void PickleNamingAnotherGlobal_IsRefusedNamingIt(string module, string name)
    {
        var p = new List<byte> { 0x80, 2 };
        p.AddRange(Global(module, name)); p.AddRange(Unicode("echo pwned")); p.Add(0x85); p.Add((byte)'R'); p.Add((byte)'.');
        var path = WriteZip("evil.pth", p.ToArray(), withStorage: false);
        var error = Assert.Throws<CheckpointException>(() => StateDict.Load(path))!;
        Assert.That(error.Message, Does.Contain($"'{module}.{name}'").And.Contain(path));
    }

    [Test]
    public void StackGlobalNamingAnotherGlobal_IsRefusedNamingIt()
    {
        var p = new List<byte> { 0x80, 4 };
        p.AddRange(Unicode("posix")); p.AddRange(Unicode("system")); p.Add(0x93); p.AddRange(Unicode("id")); p.Add(0x85); p.Add((byte)'R'); p.Add((byte)'.');
        var error = Assert.Throws<CheckpointException>(() => StateDict.Load(WriteZip("evil4.pth", p.ToArray(), withStorage: false)))!;
        Assert.That(error.Message, Does.Contain("'posix.system'"));
    }

    [Test]
    public void TruncatedZip_GivesAClearError()
    {
        var path = WriteZip("whole.pth", SafePickle());
        var bytes = File.ReadAllBytes(path);
        var cut = Path.Combine(folder, "cut.pth");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<CheckpointException>(() => StateDict.Load(cut))!;
        Assert.That(error.Message, Does.StartWith(cut).And.Contain("truncated"));
    }

    [Test]
    public void TruncatedPickle_GivesAClearError()
    {
        var pickle = SafePickle();
        var path = WriteZip("short.pth", pickle[..(pickle.Length - 12)]);
        var error = Assert.Throws<CheckpointException>(() => StateDict.Load(path))!;
        Assert.That(error.Message, Does.StartWith(path).And.Contain("truncated").Or.Contain("malformed"));
    }

    [Test]
    public void MissingStorage_GivesAClearError()
    {
        var path = WriteZip("nostorage.pth", SafePickle(), withStorage: false);
        var error = Assert.Throws<CheckpointException>(() => StateDict.Load(path))!;
        Assert.That(error.Message, Does.Contain("data/0").And.Contain("'w'"));
    }

    static byte[] Safetensors(string header, int dataBytes)
    {
        var h = Encoding.UTF8.GetBytes(header);
        return BitConverter.GetBytes((ulong)h.Length).Concat(h).Concat(new byte[dataBytes]).ToArray();
    }

    [Test]
    public void Safetensors_LoadsShapeAndDtype()
    {
        var path = Path.Combine(folder, "w.safetensors");
        File.WriteAllBytes(path, Safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},\"__metadata__\":{}}", 24));
        var state = StateDict.Load(path);
        Assert.That(state["w"].shape, Is.EqualTo(new long[] { 2, 3 }));
        Assert.That(state["w"].dtype, Is.EqualTo(ScalarType.Float32));
    }

    [Test]
    public void TruncatedSafetensors_GivesAClearError()
    {
        var path = Path.Combine(folder, "cut.safetensors");
        File.WriteAllBytes(path, Safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", 10));
        var error = Assert.Throws<CheckpointException>(() => StateDict.Load(path))!;
        Assert.That(error.Message, Does.Contain("'w'").And.Contain("truncated"));
    }
}
