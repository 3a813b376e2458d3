namespace RetinaNet.Tests.Train.Cli;

/// <summary>Runs the <c>retinanet</c> program in-process and captures what it prints.</summary>
public static class CliRunner
{
    static readonly object gate = new();

    public static (int exitCode, string stdout, string stderr) Run(params string[] args)
    {
        lock (gate)
        {
            var (oldOut, oldErr) = (Console.Out, Console.Error);
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            Console.SetOut(stdout);
            Console.SetError(stderr);
            try
            {
                var code = RetinaNet.Train.Program.Main(args);
                return (code, stdout.ToString(), stderr.ToString());
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldErr);
            }
        }
    }
}
