using System.Diagnostics;
using RetinaNet.Core;

namespace RetinaNet.Tests.Core.Saving;

/// <summary>
/// Files we write, read by the HDF5 C library: h5py following Keras' loader (tests/scripts/check_h5_with_h5py.py)
/// and h5dump. Skipped where those tools are not installed.
/// </summary>
public class H5pyInteropTests : H5TestBase
{
    const string Python = "/usr/bin/python3";
    const string Install = "Needs /usr/bin/python3 with h5py, and h5dump; on Debian/Ubuntu: apt-get install -y python3-h5py hdf5-tools";

    static (int code, string output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(" ", arguments)} did not finish within 60 s");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    static string? OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);

    static string Script()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "scripts", "check_h5_with_h5py.py");
            if (File.Exists(candidate)) return candidate;
        }
        Assert.Ignore("tests/scripts/check_h5_with_h5py.py is not above the test directory");
        return "";
    }

    /// <summary>The path of h5dump; ignores the test (Assert.Ignore throws) unless python3 with h5py and h5dump exist.</summary>
    static string RequireTools()
    {
        var h5dump = OnPath("h5dump");
        if (h5dump is null || !File.Exists(Python) || Run(Python, "-c", "import h5py").code != 0) Assert.Ignore(Install);
        return h5dump!;
    }

    [Test]
    public void SavedModelWeightsAndCompiledModel_ReadByH5pyAsKerasDoes_AndByH5dump()
    {
        var h5dump = RequireTools();
        var script = Script();
        ModelConfigTests.BuildNestedModel().save(Temp("nested.h5"));
        ModelConfigTests.BuildNestedModel().save_weights(Temp("nested-weights.h5"));
        var custom = new Dictionary<string, object>
        {
            ["QConv2DBatchnorm"] = typeof(QConv2DBatchnorm), ["Adam"] = typeof(TinyAdam),
            ["sparse_categorical_crossentropy"] = typeof(TestSparseCategoricalCrossentropy),
        };
        keras.models.load_model(Fixture("FashionMNIST.h5"), custom).save(Temp("compiled.h5"));

        foreach (var (file, flags) in new[] { ("nested.h5", ""), ("nested-weights.h5", "--weights-only"), ("compiled.h5", "") })
        {
            var args = flags == "" ? new[] { script, Temp(file) } : new[] { script, Temp(file), flags };
            var (code, output) = Run(Python, args);
            Assert.That(code, Is.EqualTo(0), output);
            TestContext.Out.WriteLine(output.Trim());
        }
        var (dumpCode, dump) = Run(h5dump, "-H", Temp("compiled.h5"));
        Assert.That(dumpCode, Is.EqualTo(0), dump);
        Assert.That(dump, Does.Contain("GROUP \"model_weights\"").And.Contain("GROUP \"optimizer_weights\""));
    }
}
