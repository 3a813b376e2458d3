namespace RetinaNet.Tool;

/// <summary>Entry point of the <c>retinanet</c> .NET tool: the same program as RetinaNet.Train's.</summary>
public static class Program
{
    /// <summary>Runs the command line.</summary>
    public static int Main(string[] args) => RetinaNet.Train.Program.Main(args);
}
