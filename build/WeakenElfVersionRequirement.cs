using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

// Compiled by MSBuild's RoslynCodeTaskFactory against netstandard2.0, hence no spans or File.Move overwrite.
/// <summary>
/// Sets VER_FLG_WEAK on one version requirement (Elf64_Vernaux in .gnu.version_r) of an ELF64 little-endian
/// shared library, when the system libstdc++.so.6 does not define that version. The file is rewritten through a
/// temporary file and a rename, so a hard link into the NuGet cache is never modified.
/// </summary>
public class WeakenElfVersionRequirement : Task
{
    public string LibraryPath { get; set; } = "";
    public string VersionName { get; set; } = "";
    /// <summary>Patch even when this machine's libstdc++ has the version (for files that ship to other machines).</summary>
    public bool EvenIfSystemProvides { get; set; }

    const ushort VerFlagWeak = 0x2;
    const uint ShtGnuVerneed = 0x6ffffffe;

    static readonly string[] LibStdCxxDirs =
    {
        "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu",
        "/usr/lib64", "/lib64", "/usr/lib", "/lib",
    };

    public override bool Execute()
    {
        try
        {
            if (!EvenIfSystemProvides && SystemProvides(VersionName))
            {
                Log.LogMessage(MessageImportance.Low, $"System libstdc++ provides {VersionName}; {LibraryPath} left as is.");
                return true;
            }
            var bytes = File.ReadAllBytes(LibraryPath);
            switch (Patch(bytes, VersionName))
            {
                case PatchResult.Patched:
                    var tmp = LibraryPath + ".weaken.tmp";
                    File.WriteAllBytes(tmp, bytes);
                    File.Delete(LibraryPath);
                    File.Move(tmp, LibraryPath);
                    Log.LogMessage(MessageImportance.Normal, $"Marked {VersionName} weak in {LibraryPath}.");
                    break;
                case PatchResult.AlreadyWeak:
                    Log.LogMessage(MessageImportance.Low, $"{VersionName} is already weak in {LibraryPath}.");
                    break;
                case PatchResult.NotRequired:
                    Log.LogMessage(MessageImportance.Low, $"{LibraryPath} does not require {VersionName}.");
                    break;
            }
            return true;
        }
        catch (Exception e)
        {
            Log.LogError($"Could not patch {LibraryPath}: {e.Message}");
            return false;
        }
    }

    static bool SystemProvides(string version)
    {
        var needle = Encoding.ASCII.GetBytes(version + "\0");
        foreach (var dir in LibStdCxxDirs)
        {
            var path = Path.Combine(dir, "libstdc++.so.6");
            if (File.Exists(path))
                return IndexOf(File.ReadAllBytes(path), needle) >= 0;
        }
        return false; // no libstdc++ found where we look: patching is harmless
    }

    enum PatchResult { Patched, AlreadyWeak, NotRequired }

    static PatchResult Patch(byte[] elf, string version)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF is supported");

        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)shoff + i * shentsize);
            if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;
            int offset = checked((int)BitConverter.ToUInt64(elf, sh + 0x18));
            uint link = BitConverter.ToUInt32(elf, sh + 0x28);
            int strtab = checked((int)BitConverter.ToUInt64(elf, checked((int)shoff + (int)link * shentsize) + 0x18));

            int need = offset;
            while (true)
            {
                int count = BitConverter.ToUInt16(elf, need + 2);
                int aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                for (int k = 0; k < count; k++)
                {
                    int name = strtab + (int)BitConverter.ToUInt32(elf, aux + 8);
                    if (CStringEquals(elf, name, version))
                    {
                        ushort flags = BitConverter.ToUInt16(elf, aux + 4);
                        if ((flags & VerFlagWeak) != 0) return PatchResult.AlreadyWeak;
                        flags |= VerFlagWeak;
                        elf[aux + 4] = (byte)flags;
                        elf[aux + 5] = (byte)(flags >> 8);
                        return PatchResult.Patched;
                    }
                    uint nextAux = BitConverter.ToUInt32(elf, aux + 12);
                    if (nextAux == 0) break;
                    aux += (int)nextAux;
                }
                uint next = BitConverter.ToUInt32(elf, need + 12);
                if (next == 0) break;
                need += (int)next;
            }
        }
        return PatchResult.NotRequired;
    }

    static bool CStringEquals(byte[] data, int at, string s)
    {
        for (int i = 0; i < s.Length; i++)
            if (at + i >= data.Length || data[at + i] != (byte)s[i]) return false;
        return at + s.Length < data.Length && data[at + s.Length] == 0;
    }

    static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }
}
