using System.Runtime.InteropServices;

namespace RetinaNet.Train.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM — what schedulers and containers send — for long commands: the first one asks the work
/// to stop after the current batch (the snapshot of that epoch is still written); a second one ends the process at
/// once. An interrupted command exits with 128 + the signal number (130, 143), so a scheduler knows it did not finish.
/// </summary>
public sealed class Interruption : IDisposable
{
    readonly CancellationTokenSource source = new();
    readonly List<PosixSignalRegistration> registrations = new();
    PosixSignal? received;

    Interruption()
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
            registrations.Add(PosixSignalRegistration.Create(signal, Handle));
    }

    /// <summary>Starts listening; dispose to restore the default handling.</summary>
    public static Interruption Listen() => new();

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => source.Token;

    /// <summary>130 after SIGINT, 143 after SIGTERM, 0 when no signal came.</summary>
    public int ExitCode => received switch
    {
        PosixSignal.SIGINT => 130,
        PosixSignal.SIGTERM => 143,
        _ => 0,
    };

    void Handle(PosixSignalContext context)
    {
        if (received is not null) return; // the second signal: default handling ends the process
        received = context.Signal;
        context.Cancel = true;
        Console.Error.WriteLine($"{context.Signal}: stopping after the current batch and saving (send it again to abort)...");
        source.Cancel();
    }

    /// <summary>Says that the command was interrupted (when it was) and returns <see cref="ExitCode"/>.</summary>
    public int Finish()
    {
        if (received is not null)
            Console.Error.WriteLine($"Interrupted by {received}: stopped early; exit code {ExitCode}.");
        return ExitCode;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var registration in registrations) registration.Dispose();
        source.Dispose();
    }
}
