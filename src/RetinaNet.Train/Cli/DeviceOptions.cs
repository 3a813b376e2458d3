using System.CommandLine;
using System.Globalization;
using static TorchSharp.torch;

namespace RetinaNet.Train.Cli;

/// <summary>
/// keras-retinanet's device flags (<c>--gpu</c>, <c>--multi-gpu</c>, <c>--multi-gpu-force</c>) next to our
/// <c>--device</c>, resolved to one libtorch device name before any work starts. Asking for a GPU that the machine (or
/// the libtorch build) does not have is a user error, never a crash later.
/// </summary>
public static class DeviceOptions
{
    /// <summary>keras-retinanet's <c>--gpu</c>: a GPU index, a comma-separated list (the first one is used) or <c>cpu</c>/<c>-1</c>.</summary>
    public static Option<string?> Gpu() =>
        new("--gpu") { Description = "Id of the GPU to use (as reported by nvidia-smi); a comma-separated list uses its first id; cpu or -1 for the CPU." };

    /// <summary>keras-retinanet's <c>--multi-gpu</c>.</summary>
    public static Option<int> MultiGpu() =>
        new("--multi-gpu") { Description = "Number of GPUs to use for parallel processing (not supported: one GPU trains; checked against the machine).", DefaultValueFactory = _ => 0 };

    /// <summary>keras-retinanet's <c>--multi-gpu-force</c>.</summary>
    public static Option<bool> MultiGpuForce() =>
        new("--multi-gpu-force") { Description = "Extra flag needed to enable (experimental) multi-gpu support." };

    /// <summary>How many CUDA devices libtorch can use here (0 with the CPU-only TorchSharp package).</summary>
    public static Func<int> CudaDeviceCount { get; set; } = () => cuda.is_available() ? cuda.device_count() : 0;

    /// <summary>
    /// The device to run on: <paramref name="device"/> (<c>--device</c>) unless <paramref name="gpu"/> names one.
    /// Checks keras-retinanet's multi-GPU rules (its own messages) and that every GPU asked for exists.
    /// </summary>
    /// <exception cref="ArgumentException">A device that cannot be used here, or contradictory flags.</exception>
    public static string Resolve(string device, string? gpu = null, int multi_gpu = 0, bool multi_gpu_force = false,
        int batch_size = 1, bool resuming = false)
    {
        if (multi_gpu > 1)
        {
            // keras-retinanet's check_args, in its order and words.
            if (batch_size < multi_gpu)
                throw new ArgumentException($"Batch size ({batch_size}) must be equal to or higher than the number of GPUs ({multi_gpu})");
            if (resuming)
                throw new ArgumentException($"Multi GPU training ({multi_gpu}) and resuming from snapshots (--snapshot) is not supported.");
            if (!multi_gpu_force)
                throw new ArgumentException("Multi-GPU support is experimental, use at own risk! Run with --multi-gpu-force if you wish to continue.");
            var available = CudaDeviceCount();
            if (available < multi_gpu)
                throw new ArgumentException($"--multi-gpu {multi_gpu} asks for {multi_gpu} GPUs, but this machine has {Describe(available)}.");
            throw new ArgumentException(
                $"--multi-gpu {multi_gpu}: training on several GPUs at once is not supported; train on one with --gpu N.");
        }

        if (gpu is not null)
        {
            var first = gpu.Split(',')[0].Trim();
            if (first is "cpu" or "-1") return Check("cpu", "--gpu", gpu, device);
            if (!int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                throw new ArgumentException($"--gpu '{gpu}': expected a GPU id such as 0, a comma-separated list such as 0,1, or cpu.");
            return Check($"cuda:{index}", "--gpu", gpu, device);
        }
        return Check(device, "--device", device, null);
    }

    /// <summary>Checks that <paramref name="resolved"/> exists here; <paramref name="other"/> is a <c>--device</c> that must agree.</summary>
    static string Check(string resolved, string flag, string value, string? other)
    {
        if (other is not null && other != "cpu" && other != resolved)
            throw new ArgumentException($"--gpu {value} and --device {other} choose different devices; pass one of them.");
        if (resolved == "cpu") return resolved;
        var parts = resolved.Split(':');
        int index = 0;
        if (parts[0] != "cuda" || parts.Length > 2
            || (parts.Length == 2 && !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out index)))
            throw new ArgumentException($"{flag} {value}: '{resolved}' is not a device this program can use (cpu, cuda or cuda:N).");
        var count = CudaDeviceCount();
        if (count == 0)
            throw new ArgumentException(
                $"{flag} {value}: this machine has no CUDA GPU that libtorch can use (no driver, or the CPU-only TorchSharp package); " +
                "run without it to use the CPU.");
        if (index >= count)
            throw new ArgumentException($"{flag} {value}: GPU {index} does not exist; this machine has {Describe(count)} (ids 0..{count - 1}).");
        return resolved;
    }

    static string Describe(int count) => count == 1 ? "1 GPU" : $"{count} GPUs";
}
