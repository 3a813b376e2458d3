using System.Text.Json.Nodes;
using RetinaNet.Core;
using static TorchSharp.torch;

namespace RetinaNet.Tests.Core.Training;

public class LossTests
{
    const double Eps = 1e-7;
    static readonly float[,] yTrue = { { 1f, 0f, 0f }, { 0f, 1f, 0f } };
    static readonly float[,] yPred = { { 0.7f, 0.2f, 0.1f }, { 0f, 1f, 0.5f } }; // 0 and 1 exercise the clipping

    static Tensor T(float[,] a) => tensor(a.Cast<float>().ToArray()).reshape(a.GetLength(0), a.GetLength(1));

    static double Loss(Loss loss) => loss.call(T(yTrue), T(yPred)).item<float>();

    static double MeanOverRows(Func<int, double> row) => (row(0) + row(1)) / 2;

    [Test]
    public void MeanSquaredError_IsMeanOfSquares()
    {
        var expected = MeanOverRows(r => Enumerable.Range(0, 3).Average(c => Math.Pow(yPred[r, c] - yTrue[r, c], 2)));
        Assert.That(Loss(new MeanSquaredError()), Is.EqualTo(expected).Within(1e-6));
        Assert.That(new MeanSquaredError().name, Is.EqualTo("mean_squared_error"));
    }

    [Test]
    public void MeanAbsoluteError_IsMeanOfAbsoluteDifferences()
    {
        var expected = MeanOverRows(r => Enumerable.Range(0, 3).Average(c => Math.Abs(yPred[r, c] - yTrue[r, c])));
        Assert.That(Loss(new MeanAbsoluteError()), Is.EqualTo(expected).Within(1e-6));
    }

    [Test]
    public void BinaryCrossentropy_ClipsLikeKerasBackend()
    {
        var expected = MeanOverRows(r => Enumerable.Range(0, 3).Average(c =>
        {
            double p = Math.Clamp(yPred[r, c], Eps, 1 - Eps), y = yTrue[r, c];
            return -(y * Math.Log(p + Eps) + (1 - y) * Math.Log(1 - p + Eps));
        }));
        Assert.That(Loss(new BinaryCrossentropy()), Is.EqualTo(expected).Within(1e-5));
    }

    [Test]
    public void CategoricalCrossentropy_RescalesThenClips()
    {
        var expected = MeanOverRows(r =>
        {
            double sum = Enumerable.Range(0, 3).Sum(c => (double)yPred[r, c]);
            return -Enumerable.Range(0, 3).Sum(c => yTrue[r, c] * Math.Log(Math.Clamp(yPred[r, c] / sum, Eps, 1 - Eps)));
        });
        Assert.That(Loss(new CategoricalCrossentropy()), Is.EqualTo(expected).Within(1e-5));
    }

    [Test]
    public void SparseCategoricalCrossentropy_ClipsThenNormalizes()
    {
        int[] labels = { 0, 2 };
        var expected = MeanOverRows(r =>
        {
            var p = Enumerable.Range(0, 3).Select(c => Math.Clamp(yPred[r, c], Eps, 1 - Eps)).ToArray();
            return -Math.Log(p[labels[r]] / p.Sum());
        });
        var loss = new SparseCategoricalCrossentropy().call(tensor(new long[] { 0, 2 }), T(yPred)).item<float>();
        Assert.That(loss, Is.EqualTo(expected).Within(1e-5));
    }

    [Test]
    public void LossFunction_AveragesPerSampleValues_AndKeepsItsName()
    {
        var sumOfRow = new LossFunction((t, p) => (p - t).sum(1), "_row_sum");
        var expected = MeanOverRows(r => Enumerable.Range(0, 3).Sum(c => (double)yPred[r, c] - yTrue[r, c]));
        Assert.That(Loss(sumOfRow), Is.EqualTo(expected).Within(1e-6));
        Assert.That(sumOfRow.name, Is.EqualTo("_row_sum"));
    }

    [Test]
    public void Losses_DeserializeFromKerasNamesAndConfigs()
    {
        Assert.That(KerasObjects.Deserialize<Loss>(JsonValue.Create("mse"), "loss"), Is.InstanceOf<MeanSquaredError>());
        var bce = new BinaryCrossentropy(from_logits: true, label_smoothing: 0.1);
        // Through JSON text, as a saved file carries it.
        var entry = JsonNode.Parse(new JsonObject { ["class_name"] = "BinaryCrossentropy", ["config"] = bce.get_config() }.ToJsonString())!;
        var back = (BinaryCrossentropy)KerasObjects.Deserialize<Loss>(entry, "loss");
        Assert.That((back.from_logits, back.label_smoothing, back.name, back.reduction),
            Is.EqualTo((true, 0.1, "binary_crossentropy", "auto")));
    }
}
