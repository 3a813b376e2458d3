using static TorchSharp.torch;

namespace RetinaNet.Tests.Core;

/// <summary>libtorch loads on this system (GLIBCXX requirement weakened by the build) and computes.</summary>
public class NativeLibraryTests
{
    [Test]
    public void LibTorch_LoadsAndComputesAConvolution()
    {
        // A 3x3 box filter over ones: interior outputs are 9, corners (zero padding 1) are 4.
        using var x = ones(1, 1, 4, 4);
        using var w = ones(1, 1, 3, 3);
        using var y = nn.functional.conv2d(x, w, padding: new long[] { 1, 1 });
        Assert.That(y[0, 0, 1, 1].item<float>(), Is.EqualTo(9f));
        Assert.That(y[0, 0, 0, 0].item<float>(), Is.EqualTo(4f));
    }

    [Test]
    public void LibTorchSharp_InOutputFolder_IsPatchedOnlyWhereNeeded_AndNuGetCacheIsUntouched()
    {
        var output = Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");
        if (!OperatingSystem.IsLinux() || !File.Exists(output))
            Assert.Ignore("Only Linux builds carry libLibTorchSharp.so in the output folder.");
        var systemHasVersion = File.Exists("/usr/lib/x86_64-linux-gnu/libstdc++.so.6")
            && File.ReadAllText("/usr/lib/x86_64-linux-gnu/libstdc++.so.6").Contains("GLIBCXX_3.4.32\0");
        Assert.That(ElfVersionFlags(File.ReadAllBytes(output), "GLIBCXX_3.4.32") & 2, Is.EqualTo(systemHasVersion ? 0 : 2));

        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var original = Path.Combine(cache, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (File.Exists(original))
            Assert.That(ElfVersionFlags(File.ReadAllBytes(original), "GLIBCXX_3.4.32") & 2, Is.Zero, "the NuGet cache copy must stay as shipped");
    }

    /// <summary>Reads vna_flags of a version requirement by walking .gnu.version_r (independent of the build task).</summary>
    static int ElfVersionFlags(byte[] elf, string version)
    {
        long shoff = BitConverter.ToInt64(elf, 0x28);
        int size = BitConverter.ToUInt16(elf, 0x3A), count = BitConverter.ToUInt16(elf, 0x3C);
        for (int i = 0; i < count; i++)
        {
            int sh = (int)shoff + i * size;
            if (BitConverter.ToUInt32(elf, sh + 4) != 0x6ffffffe) continue;
            int off = (int)BitConverter.ToInt64(elf, sh + 0x18);
            int link = (int)BitConverter.ToUInt32(elf, sh + 0x28);
            int strtab = (int)BitConverter.ToInt64(elf, (int)shoff + link * size + 0x18);
            for (int need = off; ; )
            {
                int aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                for (int k = 0; k < BitConverter.ToUInt16(elf, need + 2); k++)
                {
                    int name = strtab + (int)BitConverter.ToUInt32(elf, aux + 8);
                    var s = System.Text.Encoding.ASCII.GetString(elf, name, version.Length + 1);
                    if (s == version + "\0") return BitConverter.ToUInt16(elf, aux + 4);
                    aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                }
                var next = BitConverter.ToUInt32(elf, need + 12);
                if (next == 0) break;
                need += (int)next;
            }
        }
        throw new AssertionException($"{version} is not required by the library");
    }
}
