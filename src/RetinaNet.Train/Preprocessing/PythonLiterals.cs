using System.Globalization;
using System.Text;

namespace RetinaNet.Train.Preprocessing;

/// <summary>
/// Python's <c>int()</c>, <c>float()</c> and <c>repr()</c> of strings, so dataset errors read exactly like
/// keras-retinanet's (for example <c>invalid literal for int() with base 10: '210.0'</c>).
/// </summary>
internal static class PythonLiterals
{
    /// <summary>
    /// Python <c>int(text)</c> in base 10: surrounding whitespace, an optional sign, digits with single underscores
    /// between them. Throws <see cref="FormatException"/> with Python's message otherwise.
    /// </summary>
    public static long ParseInt(string text)
    {
        var digits = Digits(text.Trim(), out bool negative);
        if (digits is null || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            throw new FormatException($"invalid literal for int() with base 10: {Repr(text)}");
        return negative ? -value : value;
    }

    /// <summary>
    /// Python <c>float(text)</c>: decimal or exponent notation (underscores between digits allowed), or inf, infinity,
    /// nan in any case, with surrounding whitespace and an optional sign. Throws <see cref="FormatException"/>
    /// with Python's message otherwise.
    /// </summary>
    public static double ParseFloat(string text)
    {
        var body = text.Trim();
        bool negative = body.StartsWith('-');
        var unsigned = body.StartsWith('-') || body.StartsWith('+') ? body[1..] : body;
        switch (unsigned.ToLowerInvariant())
        {
            case "inf" or "infinity": return negative ? double.NegativeInfinity : double.PositiveInfinity;
            case "nan": return double.NaN;
        }
        bool valid = unsigned.Length > 0 && (char.IsAsciiDigit(unsigned[0]) || unsigned[0] == '.');
        for (int i = 0; valid && i < unsigned.Length; i++)
        {
            char c = unsigned[i];
            if (c == '_') valid = i > 0 && i < unsigned.Length - 1 && char.IsAsciiDigit(unsigned[i - 1]) && char.IsAsciiDigit(unsigned[i + 1]);
            else valid = char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '+' or '-';
        }
        if (!valid || !double.TryParse(body.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw new FormatException($"could not convert string to float: {Repr(text)}");
        return value;
    }

    /// <summary>Python's <c>repr()</c> of a string: single quotes unless it contains one and no double quote.</summary>
    public static string Repr(string text)
    {
        char quote = text.Contains('\'') && !text.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder().Append(quote);
        foreach (char c in text)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c == quote) sb.Append('\\').Append(c);
                    else if (c < 0x20 || c == 0x7f) sb.Append($"\\x{(int)c:x2}");
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append(quote).ToString();
    }

    /// <summary>Python's repr of a list of strings: <c>['a', 'b']</c>.</summary>
    public static string ReprList(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(Repr)) + "]";

    /// <summary>Python's repr of a str → int dictionary: <c>{'a': 0, 'b': 1}</c>.</summary>
    public static string ReprDict(IEnumerable<KeyValuePair<string, int>> items) =>
        "{" + string.Join(", ", items.Select(kv => $"{Repr(kv.Key)}: {kv.Value.ToString(CultureInfo.InvariantCulture)}")) + "}";

    // The ASCII digit string of a Python integer literal (sign removed, underscores dropped), or null if invalid.
    private static string? Digits(string body, out bool negative)
    {
        negative = body.StartsWith('-');
        if (body.StartsWith('-') || body.StartsWith('+')) body = body[1..];
        if (body.Length == 0 || !char.IsAsciiDigit(body[0]) || !char.IsAsciiDigit(body[^1])) return null;
        for (int i = 0; i < body.Length; i++)
        {
            if (body[i] == '_' && char.IsAsciiDigit(body[i - 1]) && char.IsAsciiDigit(body[i + 1])) continue;
            if (!char.IsAsciiDigit(body[i])) return null;
        }
        return body.Replace("_", "");
    }
}
