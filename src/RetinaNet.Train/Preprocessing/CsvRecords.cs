using System.Text;

namespace RetinaNet.Train.Preprocessing;

/// <summary>
/// Splits text into records like Python's <c>csv.reader</c> with the default 'excel' dialect (comma delimiter,
/// double-quote quoting with "" as an escaped quote, non-strict): a blank line is an empty record, a quoted field
/// may hold commas and line breaks, and a quote inside an unquoted field is kept literally.
/// </summary>
internal static class CsvRecords
{
    public static List<List<string>> Parse(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, wasQuoted = false, fieldStarted = false;

        void EndField()
        {
            record.Add(field.ToString());
            field.Clear();
            wasQuoted = false;
            fieldStarted = false;
        }

        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
                continue;
            }
            switch (c)
            {
                case ',':
                    EndField();
                    break;
                case '\r' or '\n':
                    // A record ends at \n, \r or \r\n; a line without any field is an empty record.
                    if (fieldStarted || record.Count > 0 || wasQuoted) EndField();
                    records.Add(record);
                    record = new List<string>();
                    if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                    break;
                case '"' when !fieldStarted:
                    quoted = true;
                    wasQuoted = true;
                    fieldStarted = true;
                    break;
                default:
                    field.Append(c);
                    fieldStarted = true;
                    break;
            }
        }
        if (fieldStarted || record.Count > 0 || wasQuoted) EndField();
        if (record.Count > 0) records.Add(record);
        return records;
    }
}
