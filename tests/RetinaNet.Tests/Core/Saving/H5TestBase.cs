namespace RetinaNet.Tests.Core.Saving;

/// <summary>A fresh temporary folder per test, and the path of the copied Keras fixture files.</summary>
public abstract class H5TestBase
{
    protected string Folder { get; private set; } = "";

    [SetUp]
    public void CreateFolder()
    {
        Folder = Path.Combine(Path.GetTempPath(), "retinanet-h5-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    [TearDown]
    public void DeleteFolder()
    {
        if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
    }

    protected string Temp(string name) => Path.Combine(Folder, name);

    protected static string Fixture(string name) =>
        Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "keras-h5", name);
}

/// <summary>Exact tensor comparison for round trips (same shape, every element equal).</summary>
public static class TensorCompare
{
    public static bool Same(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b) =>
        a.shape.SequenceEqual(b.shape) && (a.dtype == b.dtype ? a : a.to(b.dtype)).eq(b).all().item<bool>();
}
