using Spectre.Console;

namespace RetinaNet.Train.Cli;

/// <summary>A Spectre console over the current <see cref="Console.Out"/> (so redirected output is honoured).</summary>
public static class Terminal
{
    /// <summary>Creates the console for one command.</summary>
    public static IAnsiConsole Create() => AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
}
