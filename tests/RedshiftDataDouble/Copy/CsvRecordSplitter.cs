using System.Text;

namespace RedshiftDataDouble.Copy;

/// <summary>
/// Finds CSV record boundaries the way PostgreSQL's COPY does: a line end (<c>\n</c>, <c>\r</c> or
/// <c>\r\n</c>) outside quotes ends a record; the quote character toggles "inside quotes" wherever it
/// stands (a doubled quote toggles twice). Fed text in chunks, it counts records and can capture one of them.
/// </summary>
internal sealed class CsvRecordSplitter(char quote, long captureRecord = 0, int captureLimit = 0)
{
    private readonly StringBuilder _captured = new();
    private bool _inQuotes;
    private bool _afterCarriageReturn;
    private bool _recordHasText;

    /// <summary>Records ended so far, plus the one in progress once <see cref="Finish"/> has run.</summary>
    public long Records { get; private set; }

    /// <summary>The text of record <c>captureRecord</c> (1-based), without its line end, up to <c>captureLimit</c> characters.</summary>
    public string? Captured { get; private set; }

    public bool CaptureDone => Captured is not null;

    public void Feed(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (_afterCarriageReturn)
            {
                _afterCarriageReturn = false;
                if (c == '\n')
                {
                    continue;
                }
            }

            if (!_inQuotes && (c == '\n' || c == '\r'))
            {
                EndRecord();
                _afterCarriageReturn = c == '\r';
                continue;
            }

            if (c == quote)
            {
                _inQuotes = !_inQuotes;
            }

            _recordHasText = true;
            if (Records + 1 == captureRecord && _captured.Length < captureLimit)
            {
                _captured.Append(c);
            }
        }
    }

    public void Finish()
    {
        if (_recordHasText)
        {
            EndRecord();
        }
    }

    private void EndRecord()
    {
        Records++;
        if (Records == captureRecord)
        {
            Captured = _captured.ToString();
        }

        _recordHasText = false;
    }

    /// <summary>Splits one record into its fields' values (quotes removed, doubled quotes undone).</summary>
    public static List<string> SplitFields(string record, char delimiter, char quote)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        for (var i = 0; i < record.Length; i++)
        {
            var c = record[i];
            if (inQuotes)
            {
                if (c == quote && i + 1 < record.Length && record[i + 1] == quote)
                {
                    field.Append(quote);
                    i++;
                }
                else if (c == quote)
                {
                    inQuotes = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == quote)
            {
                inQuotes = true;
            }
            else if (c == delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
