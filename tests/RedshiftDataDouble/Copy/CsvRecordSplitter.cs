using System.Text;

namespace RedshiftDataDouble.Copy;

/// <summary>
/// Finds CSV record boundaries the way PostgreSQL's COPY does: a line end (<c>\n</c>, <c>\r</c> or
/// <c>\r\n</c>) outside quotes ends a record; the quote character toggles "inside quotes" wherever it
/// stands (a doubled quote toggles twice). Fed text in chunks, it counts records and can capture one of them: by
/// its number (<paramref name="captureRecord"/>, 1-based), or by the line number PostgreSQL's COPY gives it in an
/// error (<paramref name="captureLine"/>).
/// </summary>
/// <remarks>
/// PostgreSQL's line number is not the record's number: it counts one line per record plus, inside quotes, each
/// line break of the file's kind (<c>\n</c> once the first record ended with <c>\n</c>; <c>\r</c> otherwise, and
/// <c>\r</c> while the first record is read, before the kind is known), and names a record by its count at the
/// record's end. So a line break quoted in a later record moves the numbers on, one in the first record does not.
/// </remarks>
internal sealed class CsvRecordSplitter(char quote, long captureRecord = 0, int captureLimit = 0, long captureLine = 0)
{
    private readonly StringBuilder _captured = new();
    private readonly StringBuilder _current = new();
    private bool _inQuotes;
    private bool _afterCarriageReturn;
    private bool _recordHasText;
    private LineEnd _lineEnd = LineEnd.Unknown;
    private long _line;
    private long _quotedLineBreaks;

    private enum LineEnd
    {
        Unknown,
        LineFeed,
        CarriageReturn,
        CarriageReturnLineFeed,
    }

    /// <summary>Records ended so far, plus the one in progress once <see cref="Finish"/> has run.</summary>
    public long Records { get; private set; }

    /// <summary>The text of the record asked for, without its line end, up to <c>captureLimit</c> characters.</summary>
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
                    if (_lineEnd == LineEnd.CarriageReturn && Records == 1)
                    {
                        _lineEnd = LineEnd.CarriageReturnLineFeed;
                    }

                    continue;
                }
            }

            if (!_inQuotes && (c == '\n' || c == '\r'))
            {
                if (_lineEnd == LineEnd.Unknown)
                {
                    _lineEnd = c == '\n' ? LineEnd.LineFeed : LineEnd.CarriageReturn;
                }

                EndRecord();
                _afterCarriageReturn = c == '\r';
                continue;
            }

            if (c == quote)
            {
                _inQuotes = !_inQuotes;
            }
            else if (_inQuotes && c == (_lineEnd == LineEnd.LineFeed ? '\n' : '\r'))
            {
                _quotedLineBreaks++;
            }

            _recordHasText = true;
            if (Records + 1 == captureRecord && _captured.Length < captureLimit)
            {
                _captured.Append(c);
            }

            if (captureLine > 0 && _current.Length < captureLimit)
            {
                _current.Append(c);
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
        _line += 1 + _quotedLineBreaks;
        _quotedLineBreaks = 0;
        if (Records == captureRecord || (captureLine > 0 && _line == captureLine))
        {
            Captured = captureLine > 0 ? _current.ToString() : _captured.ToString();
        }

        _current.Clear();
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
