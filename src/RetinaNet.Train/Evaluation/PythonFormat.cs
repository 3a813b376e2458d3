using System.Globalization;
using System.Numerics;

namespace RetinaNet.Train.Evaluation;

/// <summary>
/// Number formatting as Python's <c>'{:.Nf}'</c>, so printed metrics match keras-retinanet and pycocotools digit for
/// digit. Python rounds the exact binary value half to even (<c>0.0625</c> → <c>0.062</c>, <c>1.0005</c> → <c>1.000</c>,
/// since 1.0005 is stored slightly below); .NET's "F" format rounds a decimal digit string half away from zero.
/// </summary>
public static class PythonFormat
{
    /// <summary><c>format(value, '.{decimals}f')</c>.</summary>
    public static string Fixed(double value, int decimals)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";

        // value = mantissa * 2^exponent exactly; scale by 10^decimals and round the exact quotient.
        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        int biased = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (biased == 0) biased = 1; else mantissa |= 1L << 52;
        int exponent = biased - 1075;

        BigInteger scaled = mantissa * BigInteger.Pow(10, decimals);
        BigInteger rounded;
        if (exponent >= 0)
        {
            rounded = scaled << exponent;
        }
        else
        {
            BigInteger denominator = BigInteger.One << -exponent;
            rounded = BigInteger.DivRem(scaled, denominator, out var remainder);
            int half = (remainder * 2).CompareTo(denominator);
            if (half > 0 || (half == 0 && !rounded.IsEven)) rounded += 1;
        }

        string digits = rounded.ToString(CultureInfo.InvariantCulture).PadLeft(decimals + 1, '0');
        string text = decimals == 0 ? digits : digits[..^decimals] + "." + digits[^decimals..];
        // Python keeps the sign of negative values that round to zero ('-0.000').
        return double.IsNegative(value) ? "-" + text : text;
    }
}
