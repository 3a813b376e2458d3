using System.CommandLine;
using RetinaNet.Core;

namespace RetinaNet.Train.Cli;

/// <summary>
/// <c>--precision fp32|bf16</c> of <c>predict</c>, <c>evaluate</c> and <c>train</c>: bf16 runs the convolutions and dense
/// layers in bfloat16 (<see cref="DTypePolicy.MixedBFloat16"/>); on a CPU without fast bfloat16 it says so once and
/// runs fp32 (<see cref="BFloat16Support.Resolve(string, TorchSharp.torch.Device?, Action{string}?)"/>).
/// </summary>
public static class PrecisionOption
{
    /// <summary>Creates the option (default fp32).</summary>
    public static Option<string> Create()
    {
        var option = new Option<string>("--precision")
        {
            Description = "Compute precision of the convolutions and dense layers: fp32 (default) or bf16 (bfloat16 products, " +
                "fp32 weights, post-processing and losses; about twice as fast on CPUs with AVX512-BF16/AMX or Arm BF16; " +
                "fp32 with a warning elsewhere).",
            DefaultValueFactory = _ => "fp32",
        };
        option.AcceptOnlyFromAmong(BFloat16Support.PrecisionNames);
        return option;
    }
}
