using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// Whether this machine computes bfloat16 products fast (at least fp32's rate), and the precision a run asks for
/// turned into a <see cref="DTypePolicy"/>. On a CPU without bf16 instructions libtorch emulates bfloat16, slower
/// than fp32, so <see cref="Resolve(string, Device?, Action{string}?)"/> says so once and runs fp32.
/// </summary>
public static class BFloat16Support
{
    static readonly Lazy<(bool fast, string reason)> cpu = new(DetectCpu);
    static int warned;

    /// <summary>The precision names the command line takes: <c>fp32</c> and <c>bf16</c>.</summary>
    public static readonly string[] PrecisionNames = { "fp32", "bf16" };

    /// <summary>True when <paramref name="device"/> (the CPU by default) has fast bfloat16 products.</summary>
    public static bool IsFast(Device? device = null) =>
        device is not null && device.type == TorchSharp.DeviceType.CUDA || cpu.Value.fast;

    /// <summary>Why the CPU counts as having fast bfloat16 or not (the flags found), for messages.</summary>
    public static string CpuReason => cpu.Value.reason;

    /// <summary>
    /// The policy for a precision name (<c>fp32</c>, <c>bf16</c>, or a Keras policy name). <c>bf16</c> on a device
    /// without fast bfloat16 gives fp32 and calls <paramref name="warn"/> (once per process) saying so.
    /// </summary>
    public static DTypePolicy Resolve(string precision, Device? device = null, Action<string>? warn = null) =>
        Resolve(precision, IsFast(device), warn);

    /// <summary>
    /// <see cref="Resolve(string, Device?, Action{string}?)"/> for a machine whose bfloat16 speed is known
    /// (<paramref name="fast"/>).
    /// </summary>
    public static DTypePolicy Resolve(string precision, bool fast, Action<string>? warn = null)
    {
        var policy = precision switch
        {
            "fp32" => DTypePolicy.Float32,
            "bf16" => DTypePolicy.MixedBFloat16,
            _ => DTypePolicy.Get(precision),
        };
        if (!policy.is_mixed || fast) return policy;
        if (Interlocked.Exchange(ref warned, 1) == 0)
            (warn ?? Console.Error.WriteLine)($"warning: this CPU has no fast bfloat16 ({CpuReason}); running fp32 instead of --precision {precision}.");
        return DTypePolicy.Float32;
    }

    /// <summary>
    /// Reads CPU features from <c>/proc/cpuinfo</c> text: x86 <c>avx512_bf16</c> or <c>amx_bf16</c> flags, Arm
    /// <c>bf16</c> (BFMMLA/BFDOT) in the Features line.
    /// </summary>
    public static (bool fast, string reason) FromCpuInfo(string cpuinfo)
    {
        var flags = cpuinfo.Split('\n')
            .Where(l => l.StartsWith("flags", StringComparison.Ordinal) || l.StartsWith("Features", StringComparison.Ordinal))
            .SelectMany(l => l[(l.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToHashSet(StringComparer.Ordinal);
        var found = new[] { "amx_bf16", "avx512_bf16", "bf16" }.Where(flags.Contains).ToList();
        return found.Count > 0
            ? (true, "CPU flags " + string.Join(", ", found))
            : (false, "no avx512_bf16, amx_bf16 or bf16 in the CPU flags");
    }

    static (bool, string) DetectCpu()
    {
        if (OperatingSystem.IsLinux() && File.Exists("/proc/cpuinfo"))
        {
            try { return FromCpuInfo(File.ReadAllText("/proc/cpuinfo")); }
            catch (IOException) { }
        }
        return Probe();
    }

    /// <summary>Where CPU flags cannot be read: a 256³ product timed in both types; bf16 counts as fast if not slower.</summary>
    static (bool, string) Probe()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var a = ones(256, 256);
        var b = a.to(ScalarType.BFloat16);
        double Time(Tensor m)
        {
            m.matmul(m).Dispose();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < 4; i++) m.matmul(m).Dispose();
            return clock.Elapsed.TotalSeconds;
        }
        var (fp32, bf16) = (Time(a), Time(b));
        return (bf16 <= fp32, $"timed probe: bf16 {bf16 / fp32:0.00}x the fp32 time");
    }
}
