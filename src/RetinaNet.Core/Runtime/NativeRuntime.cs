using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace RetinaNet.Core;

/// <summary>
/// Process-wide settings for fast CPU work, applied once at start-up by programs (the CLI, benchmarks):
/// libtorch threads = cores, and on Linux glibc malloc tuned so large tensor buffers are reused instead of being
/// unmapped and page-faulted back on every step (about 20 % of a detector's CPU time otherwise).
/// </summary>
public static partial class NativeRuntime
{
    const int M_TRIM_THRESHOLD = -1;
    const int M_MMAP_MAX = -4;
    static bool configured;

    /// <summary>Applies the settings (idempotent). <paramref name="threads"/> defaults to the number of cores.</summary>
    public static void Configure(int? threads = null)
    {
        if (configured && threads is null) return;
        configured = true;
        set_num_threads(threads ?? Environment.ProcessorCount);
        if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("RETINANET_KEEP_NNPACK") is null) DisableNnpack();
        if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("RETINANET_DEFAULT_MALLOC") is null)
        {
            try
            {
                // Serve every allocation from the heap (no per-buffer mmap/munmap) and never give it back early.
                mallopt(M_MMAP_MAX, 0);
                mallopt(M_TRIM_THRESHOLD, int.MaxValue);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // Not glibc (e.g. musl): keep the system allocator's defaults.
            }
        }
    }

    /// <summary>
    /// libtorch tries NNPACK for inference convolutions and, on CPUs it does not support, prints "Could not initialize
    /// NNPACK! Reason: Unsupported hardware." for every new shape. TorchSharp does not expose the switch, so we call
    /// <c>at::globalContext().setUserEnabledNNPACK(false)</c> through its exported symbols; if they are missing
    /// (another libtorch build) nothing changes.
    /// </summary>
    static unsafe void DisableNnpack()
    {
        try
        {
            if (!NativeLibrary.TryLoad("libtorch_cpu.so", typeof(NativeRuntime).Assembly, null, out var library)) return;
            if (!NativeLibrary.TryGetExport(library, "_ZN2at13globalContextEv", out var globalContext)) return;
            if (!NativeLibrary.TryGetExport(library, "_ZN2at7Context20setUserEnabledNNPACKEb", out var setNnpack)) return;
            var context = ((delegate* unmanaged<nint>)globalContext)();
            ((delegate* unmanaged<nint, byte, void>)setNnpack)(context, 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException) { }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int param, int value);
}
