using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace RetinaNet.Core;

/// <summary>
/// The hidden temporary files that saves write before renaming them into place: <c>.NAME.PID.GUID.tmp</c> beside
/// the target. The writer's process id in the name lets a later run delete what a killed one left behind (hundreds
/// of MB for a snapshot) without touching a save that another running process is still writing.
/// </summary>
public static partial class TemporaryFiles
{
    /// <summary>A fresh temporary path beside <paramref name="path"/>, owned by this process.</summary>
    public static string For(string path)
    {
        var full = Path.GetFullPath(path);
        return Path.Combine(Path.GetDirectoryName(full)!,
            string.Create(CultureInfo.InvariantCulture, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp"));
    }

    /// <summary>
    /// Deletes the temporaries in <paramref name="folder"/> whose writing process no longer runs; returns their paths.
    /// Files that are not ours, or that a live process owns, are left alone.
    /// </summary>
    public static List<string> DeleteStale(string folder)
    {
        var deleted = new List<string>();
        if (!Directory.Exists(folder)) return deleted;
        foreach (var file in Directory.EnumerateFiles(folder, ".*.tmp"))
        {
            var match = Ours().Match(Path.GetFileName(file));
            if (!match.Success || !int.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out var pid) || IsRunning(pid)) continue;
            try
            {
                File.Delete(file);
                deleted.Add(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* someone else's problem; never fail a start on it */ }
        }
        return deleted;
    }

    static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    [GeneratedRegex(@"^\..+\.(\d+)\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex Ours();
}
