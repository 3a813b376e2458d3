namespace RetinaNet.Core;

/// <summary>
/// Lets a loader build a model without running its initializers (their values would be overwritten by the file's
/// weights at once): for ResNet-50 RetinaNet that is most of the time <c>load_model</c> would take.
/// </summary>
internal static class WeightInitialization
{
    [ThreadStatic] static int skipDepth;

    /// <summary>True inside <see cref="Skip"/>.</summary>
    public static bool Skipped => skipDepth > 0;

    /// <summary>Skips initializers on this thread until disposed.</summary>
    public static IDisposable Skip()
    {
        skipDepth++;
        return new Restore();
    }

    sealed class Restore : IDisposable
    {
        bool done;
        public void Dispose()
        {
            if (done) return;
            done = true;
            skipDepth--;
        }
    }
}
