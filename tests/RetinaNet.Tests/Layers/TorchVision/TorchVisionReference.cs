using System.Diagnostics;

namespace RetinaNet.Tests.Layers.TorchVision;

/// <summary>
/// Runs tests/scripts/torchvision_retinanet_reference.py once into a temporary folder: torchvision 0.14's RetinaNet
/// v1 (.pth) and v2 (.safetensors) state_dicts and their detections and losses. Installs Debian's python3-torch and
/// python3-torchvision when /usr/bin/python3 lacks them (as benchmarks/run.sh does); ignores the tests, saying why,
/// only where that is impossible (no apt-get, not root, no package registry).
/// </summary>
public static class TorchVisionReference
{
    const string Python = "/usr/bin/python3";
    static readonly Lazy<(string? folder, string? why)> generated = new(Generate, isThreadSafe: true);

    /// <summary>The folder with v1.pth, v2.safetensors and reference.safetensors (ignores the test when unavailable).</summary>
    public static string Folder
    {
        get
        {
            var (folder, why) = generated.Value;
            if (folder is null) Assert.Ignore(why!);
            return folder!;
        }
    }

    static (int code, string output) Run(string program, int timeoutSeconds, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{program} did not finish within {timeoutSeconds} s");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    static bool HasTorchVision() => File.Exists(Python) && Run(Python, 120, "-c", "import torch, torchvision").code == 0;

    static (string?, string?) Generate()
    {
        // A folder the script already filled (for working on these tests without rerunning it).
        if (Environment.GetEnvironmentVariable("RETINANET_TORCHVISION_REFERENCE") is { Length: > 0 } existing) return (existing, null);
        if (!HasTorchVision())
        {
            if (!File.Exists("/usr/bin/apt-get"))
                return (null, "Needs /usr/bin/python3 with torch and torchvision (Debian: apt-get install python3-torch python3-torchvision); no apt-get here.");
            var update = Run("/usr/bin/apt-get", 900, "update");
            var install = Run("/usr/bin/apt-get", 1800, "install", "-y", "python3-torch", "python3-torchvision");
            if (install.code != 0 || !HasTorchVision())
                return (null, "Could not install python3-torch python3-torchvision with apt-get: " +
                    (update.output + install.output).Trim().Split('\n').LastOrDefault());
        }
        var script = Script();
        var folder = Path.Combine(Path.GetTempPath(), $"torchvision-reference-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(folder, true); } catch (IOException) { } };
        var (code, output) = Run(Python, 600, script, folder);
        if (code != 0) Assert.Fail($"{script} failed:\n{output}");
        TestContext.Progress.WriteLine(output.Trim());
        return (folder, null);
    }

    static string Script()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "scripts", "torchvision_retinanet_reference.py");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("tests/scripts/torchvision_retinanet_reference.py is not above the test directory");
    }
}
