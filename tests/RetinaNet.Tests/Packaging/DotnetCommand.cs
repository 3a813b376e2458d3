using System.Collections.Concurrent;
using System.Diagnostics;

namespace RetinaNet.Tests.Packaging;

/// <summary>
/// Runs the <c>dotnet</c> CLI (or another program) as a child process, the way a user would from a shell, and
/// returns its exit code and interleaved output. No build servers are left behind.
/// </summary>
public static class DotnetCommand
{
    /// <summary>The <c>dotnet</c> executable running these tests (<c>DOTNET_HOST_PATH</c>), else the one on PATH.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>Runs <c>dotnet</c> with <paramref name="args"/> in <paramref name="folder"/>.</summary>
    public static (int exitCode, string output) Run(string folder, TimeSpan timeout, params string[] args) =>
        RunProgram(Dotnet, folder, timeout, args);

    /// <summary>Runs <c>dotnet</c> and fails the test, with the command's output, unless it exits with 0.</summary>
    public static string Succeed(string folder, TimeSpan timeout, params string[] args) =>
        SucceedProgram(Dotnet, folder, timeout, args);

    /// <summary>Runs <paramref name="program"/> and fails the test, with its output, unless it exits with 0.</summary>
    public static string SucceedProgram(string program, string folder, TimeSpan timeout, params string[] args)
    {
        var (code, output) = RunProgram(program, folder, timeout, args);
        if (code != 0)
            Assert.Fail($"`{Describe(program, args)}` in {folder} exited with {code}:\n{Tail(output)}");
        return output;
    }

    /// <summary>Runs <paramref name="program"/> with <paramref name="args"/> in <paramref name="folder"/>.</summary>
    public static (int exitCode, string output) RunProgram(string program, string folder, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // A child build must not leave MSBuild nodes, the MSBuild server or the compiler server running.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        var output = new ConcurrentQueue<string>();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        var watch = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"`{Describe(program, args)}` in {folder} did not finish within {timeout.TotalMinutes:0.#} minutes:\n{Tail(string.Join('\n', output))}");
        }
        process.WaitForExit(); // drains the asynchronous readers
        TestContext.Out.WriteLine($"{Describe(program, args)}: exit {process.ExitCode} after {watch.Elapsed.TotalSeconds:0.0} s");
        return (process.ExitCode, string.Join('\n', output));
    }

    static string Describe(string program, string[] args) =>
        Path.GetFileName(program) + " " + string.Join(' ', args.Select(a => a.Contains(' ') ? $"\"{a}\"" : a));

    static string Tail(string output) => string.Join('\n', output.Split('\n').TakeLast(60));
}
