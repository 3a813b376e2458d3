using RetinaNet.Core;
using RetinaNet.Train.Preprocessing;
using RetinaNet.Train.Utils;

namespace RetinaNet.Train.Cli;

/// <summary>
/// Turns the errors users cause (bad files, bad arguments, models of the wrong kind) into one line on stderr and
/// exit code 1, never a stack trace. Unexpected errors still print their message (and the trace only with
/// <c>RETINANET_DEBUG=1</c>) and exit with 2.
/// </summary>
public static class CliErrors
{
    /// <summary>Runs a command body.</summary>
    public static int Run(Action body) => Run(() =>
    {
        body();
        return 0;
    });

    /// <summary>Runs a command body that chooses its exit code.</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsUserError(e))
        {
            Console.Error.WriteLine($"error: {e.Message}");
            if (Environment.GetEnvironmentVariable("RETINANET_DEBUG") == "1") Console.Error.WriteLine(e);
            return 1;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("RETINANET_DEBUG") == "1") Console.Error.WriteLine(e);
            return 2;
        }
    }

    static bool IsUserError(Exception e) => e is DatasetException or KerasFileException or KerasConfigException
        or LayerInputException or WeightsDownloadException or FileNotFoundException or DirectoryNotFoundException
        or InvalidDataException or ArgumentException or Training.TrainingDivergedException or FormatException or NotSupportedException or UnauthorizedAccessException;
}
