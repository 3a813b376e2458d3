using RetinaNet.Train.Evaluation;

namespace RetinaNet.Tests.Train.Evaluation;

public class PythonFormatTests
{
    // Expected strings are what Python 3 prints for '{:.Nf}'.format(value).
    [TestCase(0.0625, 3, "0.062")]   // exact tie in binary → half to even
    [TestCase(0.1875, 3, "0.188")]   // exact tie → even
    [TestCase(1.0005, 3, "1.000")]   // stored as 1.000499999... → down
    [TestCase(0.35, 3, "0.350")]
    [TestCase(-1.0, 3, "-1.000")]
    [TestCase(-0.0001, 3, "-0.000")]
    [TestCase(2.5, 0, "2")]
    [TestCase(0.95, 2, "0.95")]
    [TestCase(0.8999999999999999, 2, "0.90")]
    [TestCase(123456.78915, 4, "123456.7891")] // stored just below ...915
    public void Fixed_MatchesPython(double value, int decimals, string expected)
    {
        Assert.That(PythonFormat.Fixed(value, decimals), Is.EqualTo(expected));
    }
}
