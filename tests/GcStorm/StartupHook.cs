using System.Diagnostics;

/// <summary>
/// A .NET startup hook (<c>DOTNET_STARTUP_HOOKS=/path/GcStorm.dll</c>) that makes the finalizer race of TorchSharp
/// 0.107 reproducible: a background thread runs <c>GC.Collect(); GC.WaitForPendingFinalizers();</c> in a loop for
/// the whole life of the process, so any Scalar or tensor that only the finalizer holds is freed almost at once,
/// typically while libtorch still uses it. It changes no product code; it only makes collections constant.
/// <c>GC_STORM_PAUSE_MS</c> (default 0) sleeps between collections.
/// </summary>
internal class StartupHook
{
    /// <summary>Collections done so far (printed at exit when <c>GC_STORM_REPORT=1</c>).</summary>
    static long collections;

    public static void Initialize()
    {
        var pause = int.TryParse(Environment.GetEnvironmentVariable("GC_STORM_PAUSE_MS"), out var ms) ? ms : 0;
        var thread = new Thread(() =>
        {
            while (true)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Interlocked.Increment(ref collections);
                if (pause > 0) Thread.Sleep(pause);
            }
        }) { IsBackground = true, Name = "gc-storm", Priority = ThreadPriority.Normal };
        thread.Start();
        if (Environment.GetEnvironmentVariable("GC_STORM_REPORT") == "1")
        {
            var clock = Stopwatch.StartNew();
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                Console.Error.WriteLine($"gc-storm: {Interlocked.Read(ref collections)} forced collections in {clock.Elapsed.TotalSeconds:F0} s");
        }
    }
}
