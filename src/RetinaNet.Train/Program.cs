namespace RetinaNet.Train;

/// <summary>Entry point of the <c>retinanet</c> program.</summary>
public static class Program
{
    /// <summary>Runs the command line.</summary>
    public static int Main(string[] args)
    {
        Console.WriteLine("retinanet " + typeof(Program).Assembly.GetName().Version);
        return 0;
    }
}
