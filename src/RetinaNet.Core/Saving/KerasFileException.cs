namespace RetinaNet.Core;

/// <summary>
/// A Keras <c>.h5</c> file could not be loaded or saved: not HDF5, truncated or damaged, no model config, a malformed
/// or unknown layer, weights that do not fit the model. The message names the file and the problem; the inner
/// exception, when there is one, is the underlying error (e.g. a <see cref="KerasConfigException"/>).
/// </summary>
public class KerasFileException : Exception
{
    /// <summary>Creates the error; <paramref name="message"/> should name <paramref name="filepath"/>.</summary>
    public KerasFileException(string filepath, string message, Exception? inner = null) : base(message, inner) =>
        this.filepath = filepath;

    /// <summary>The file that was being read or written.</summary>
    public string filepath { get; }
}
