using System.CommandLine;
using RetinaNet.Train.Training;

namespace RetinaNet.Train.Cli;

/// <summary><c>--head-norm</c>, <c>--box-loss</c> and <c>--p6-from</c>, declared once for train and demo and bound to one <see cref="TrainingRecipe"/>.</summary>
public sealed class TrainingRecipeOptions
{
    readonly Option<string> headNorm = Choice("--head-norm", TrainingRecipe.Default.head_norm,
        "Normalisation in the heads: none (keras-retinanet: conv with bias + ReLU) or group (torchvision v2: conv + GroupNorm(32) + ReLU; head width a multiple of 32).",
        "none", "group");

    readonly Option<string> boxLoss = Choice("--box-loss", TrainingRecipe.Default.box_loss,
        "Box regression loss: smooth_l1 (keras-retinanet, on the deltas) or giou (torchvision v2: 1 - GIoU of the decoded boxes).",
        "smooth_l1", "giou");

    readonly Option<string> p6From = Choice("--p6-from", TrainingRecipe.Default.p6_from,
        "Input of the P6 convolution: c5 (keras-retinanet, torchvision v2) or p5 (the FPN's P5 output, torchvision v1).",
        "c5", "p5");

    static Option<string> Choice(string name, string defaultValue, string description, params string[] values)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.AcceptOnlyFromAmong(values);
        return option;
    }

    /// <summary>The three options, to add to a command.</summary>
    public IReadOnlyList<Option> Options => new Option[] { headNorm, boxLoss, p6From };

    /// <summary>The recipe a command line asks for.</summary>
    public TrainingRecipe Bind(ParseResult parse) => new(parse.GetValue(headNorm)!, parse.GetValue(boxLoss)!, parse.GetValue(p6From)!);
}
