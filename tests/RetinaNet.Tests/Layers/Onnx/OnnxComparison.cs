using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using DenseTensorOf = Microsoft.ML.OnnxRuntime.Tensors;
using RetinaNet.Core;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Layers.Onnx;

/// <summary>Runs exported files on ONNX Runtime and compares detections with the TorchSharp path.</summary>
internal static class OnnxComparison
{
    public sealed record Outputs(float[] Boxes, float[] Scores, int[] Labels);

    /// <summary>The engine's outputs for one NHWC float image (batch 1).</summary>
    public static Outputs Torch(Model inference, Tensor image)
    {
        using var scope = NewDisposeScope();
        var o = inference.predict_on_batch(image);
        return new Outputs(o[0].to(ScalarType.Float32).contiguous().data<float>().ToArray(),
            o[1].to(ScalarType.Float32).contiguous().data<float>().ToArray(), o[2].to(ScalarType.Int32).contiguous().data<int>().ToArray());
    }

    /// <summary>ONNX Runtime's outputs for the same image (float input, or the image's values as uint8).</summary>
    public static Outputs Ort(InferenceSession session, Tensor image, bool uint8 = false)
    {
        var shape = image.shape.Select(d => (int)d).ToArray();
        var values = image.to(ScalarType.Float32).contiguous().data<float>().ToArray();
        var name = session.InputMetadata.Keys.Single();
        var input = uint8
            ? NamedOnnxValue.CreateFromTensor(name, new DenseTensorOf.DenseTensor<byte>(values.Select(v => (byte)v).ToArray(), shape))
            : NamedOnnxValue.CreateFromTensor(name, new DenseTensorOf.DenseTensor<float>(values, shape));
        using var results = session.Run(new[] { input });
        var r = results.ToList();
        return new Outputs(r[0].AsTensor<float>().ToArray(), r[1].AsTensor<float>().ToArray(), r[2].AsTensor<int>().ToArray());
    }

    /// <summary>
    /// Asserts both engines found the same detections: same count of real (non-padding) rows, and each of ours
    /// matched by one of theirs with the same label, a box within <paramref name="boxTolerance"/> px and a score within
    /// <paramref name="scoreTolerance"/>; order is compared only between detections whose scores differ by more than
    /// the tolerance (both lists must be sorted); rows tied with the cut-off of a full list are compared by score only.
    /// Returns the number compared.
    /// </summary>
    public static int AssertSameDetections(Outputs ours, Outputs theirs, double boxTolerance = 1e-3, double scoreTolerance = 1e-4)
    {
        int count = ours.Labels.Count(l => l >= 0);
        Assert.That(theirs.Labels.Count(l => l >= 0), Is.EqualTo(count), "number of detections");
        Assert.That(theirs.Labels.Length, Is.EqualTo(ours.Labels.Length), "padded length");
        for (int i = count; i < theirs.Labels.Length; i++)
        {
            Assert.That(theirs.Labels[i], Is.EqualTo(-1), $"padding label {i}");
            Assert.That(theirs.Scores[i], Is.EqualTo(-1f), $"padding score {i}");
            Assert.That(theirs.Boxes.Skip(4 * i).Take(4), Is.All.EqualTo(-1f), $"padding box {i}");
        }
        var used = new bool[count];
        // When the list is full, a row tied (within the tolerance) with the last kept score sits at the cut-off: either
        // engine may keep either of the tied candidates, so such rows need no counterpart.
        bool full = count == ours.Labels.Length && count > 0;
        double cutOff = full ? Math.Max(ours.Scores[count - 1], theirs.Scores[count - 1]) + scoreTolerance : double.NegativeInfinity;
        for (int i = 0; i < count; i++)
        {
            if (ours.Scores[i] <= cutOff)
            {
                Assert.That(Math.Abs(theirs.Scores[i] - ours.Scores[i]), Is.LessThanOrEqualTo(scoreTolerance), $"score order at row {i}");
                continue;
            }
            int match = -1;
            for (int j = 0; j < count && match < 0; j++)
            {
                if (used[j] || theirs.Labels[j] != ours.Labels[i] || Math.Abs(theirs.Scores[j] - ours.Scores[i]) > scoreTolerance) continue;
                if (Enumerable.Range(0, 4).All(c => Math.Abs(theirs.Boxes[4 * j + c] - ours.Boxes[4 * i + c]) <= boxTolerance)) match = j;
            }
            Assert.That(match, Is.GreaterThanOrEqualTo(0),
                $"detection {i} (label {ours.Labels[i]}, score {ours.Scores[i]}, box [{string.Join(", ", ours.Boxes.Skip(4 * i).Take(4))}]) " +
                $"has no counterpart; ONNX row {i}: label {theirs.Labels[i]}, score {theirs.Scores[i]}, box [{string.Join(", ", theirs.Boxes.Skip(4 * i).Take(4))}]");
            used[match] = true;
            // Sorted lists: a row may move only among rows of (nearly) equal score.
            Assert.That(Math.Abs(theirs.Scores[i] - ours.Scores[i]), Is.LessThanOrEqualTo(scoreTolerance), $"score order at row {i}");
        }
        return count;
    }

    /// <summary>Runs Debian's ONNX checker (python3-onnx 1.12, installed with apt-get when missing) with full shape inference.</summary>
    public static void AssertOnnxCheckerAccepts(string path)
    {
        if (Run("/usr/bin/python3", "-c \"import onnx\"").code != 0)
        {
            var install = Run("/bin/sh", "-c \"(apt-get install -y python3-onnx || (apt-get update && apt-get install -y python3-onnx)) 2>&1\"");
            Assert.That(install.code, Is.EqualTo(0), "apt-get install python3-onnx failed: " + install.output);
        }
        var check = Run("/usr/bin/python3",
            $"-c \"import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print('ok', onnx.__version__, m.ir_version, m.opset_import[0].version)\" \"{path}\"");
        Assert.That(check.code, Is.EqualTo(0), "onnx.checker rejected the file: " + check.output);
        Assert.That(check.output, Does.StartWith("ok 1.12"), check.output);
    }

    static (int code, string output) Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }
}
