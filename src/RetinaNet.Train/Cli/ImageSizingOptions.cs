using System.CommandLine;
using RetinaNet.Train.Utils;

namespace RetinaNet.Train.Cli;

/// <summary>
/// <c>--image-min-side</c>, <c>--image-max-side</c> and <c>--no-resize</c> (keras-retinanet's flags), declared once for
/// train, evaluate, predict and debug and bound to one <see cref="ImageSizing"/>, which is passed whole from there on.
/// </summary>
public sealed class ImageSizingOptions
{
    readonly Option<int> minSide = new("--image-min-side")
    {
        Description = "Rescale the image so the smallest side is min_side.",
        DefaultValueFactory = _ => ImageSizing.Default.min_side,
    };

    readonly Option<int> maxSide = new("--image-max-side")
    {
        Description = "Rescale the image if the largest side is larger than max_side.",
        DefaultValueFactory = _ => ImageSizing.Default.max_side,
    };

    readonly Option<bool> noResize = new("--no-resize") { Description = "Don't rescale the image." };

    /// <summary>The three options, to add to a command.</summary>
    public IReadOnlyList<Option> Options => new Option[] { minSide, maxSide, noResize };

    /// <summary>The sizing a command line asks for.</summary>
    public ImageSizing Bind(ParseResult parse) =>
        new(parse.GetValue(minSide), parse.GetValue(maxSide), parse.GetValue(noResize));
}
