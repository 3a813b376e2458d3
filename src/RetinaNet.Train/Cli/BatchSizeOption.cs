using System.CommandLine;

namespace RetinaNet.Train.Cli;

/// <summary>
/// <c>--batch-size N</c> of <c>predict</c> and <c>evaluate</c>: images per network call. Images whose network input has
/// the same size go together (no padding), so the detections are those of one image at a time up to float32 rounding; reading the next
/// images overlaps the network at every size (see <see cref="Inference.BatchedPrediction"/>).
/// </summary>
public static class BatchSizeOption
{
    /// <summary>Creates the option (default 1).</summary>
    public static Option<int> Create() => new("--batch-size")
    {
        Description = "Images per network call (images of one input size together; the detections do not depend on it beyond float32 rounding). " +
            "Larger batches raise images/s where per-call overhead matters and cost memory: an 800x1333 ResNet-50 image needs about 0.8 GB.",
        DefaultValueFactory = _ => 1,
    };

    /// <summary>The value, refused before any work when below 1.</summary>
    public static int Get(ParseResult parse, Option<int> option)
    {
        var value = parse.GetValue(option);
        if (value < 1) throw new ArgumentException($"--batch-size {value}: must be at least 1.");
        return value;
    }
}
