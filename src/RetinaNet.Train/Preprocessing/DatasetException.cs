namespace RetinaNet.Train.Preprocessing;

/// <summary>
/// A dataset description that cannot be used: a malformed CSV, VOC or COCO annotation file. The message follows
/// keras-retinanet's (for example <c>invalid CSV annotations file: train.csv: line 3: malformed x1: invalid literal
/// for int() with base 10: '210.0'</c>) and names the file and, where there is one, the line.
/// </summary>
public sealed class DatasetException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The full message, naming the file.</param>
    /// <param name="file">The file at fault.</param>
    /// <param name="line">The 1-based record number in that file, when known.</param>
    /// <param name="inner">The underlying error (an I/O or parser exception), if any.</param>
    public DatasetException(string message, string file, int? line = null, Exception? inner = null) : base(message, inner)
    {
        this.file = file;
        this.line = line;
    }

    /// <summary>The file at fault.</summary>
    public string file { get; }

    /// <summary>The 1-based record (line) number in <see cref="file"/>, when the error is tied to one.</summary>
    public int? line { get; }
}
