using System.Buffers;
using System.Text;

namespace ServerlessSync.Zuora.Csv;

/// <summary>
/// Reads RFC 4180 CSV one record at a time from a stream, holding one buffer and one record, never the file: quoted
/// fields may hold commas, doubled quotes, CR and LF, and any of them may fall across a buffer boundary. Records end at
/// CRLF, LF or CR; blank lines are skipped; a leading UTF-8 byte order mark is dropped.
/// <para><b>Every empty field is null</b>, quoted (<c>""</c>) or not: AQuA writes a null as an empty field, so an empty
/// string and a null cannot be told apart, and an empty string in Zuora arrives as null.</para>
/// A quote inside an unquoted field is kept as text; a character after a closing quote other than a separator, or
/// a quoted field still open at the end, throws <see cref="CsvFormatException"/>.
/// </summary>
internal sealed class CsvRecordReader : IDisposable
{
    public const int DefaultBufferChars = 32 * 1024;
    private static readonly SearchValues<char> UnquotedStops = SearchValues.Create(",\r\n");
    private static readonly SearchValues<char> QuotedStops = SearchValues.Create("\"\n");

    private readonly TextReader _reader;
    private readonly char[] _buffer;
    private readonly List<string?> _fields = [];
    private readonly StringBuilder _field = new();
    private int _position;
    private int _length;
    private bool _skipLineFeed;
    private long _line = 1;

    public CsvRecordReader(Stream stream, int bufferChars = DefaultBufferChars)
        : this(new StreamReader(stream, new UTF8Encoding(false, true), detectEncodingFromByteOrderMarks: true, bufferSize: Math.Max(bufferChars, 16)), bufferChars)
    {
    }

    public CsvRecordReader(TextReader reader, int bufferChars = DefaultBufferChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferChars, 1);
        _reader = reader;
        _buffer = new char[bufferChars];
    }

    private enum State
    {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }

    /// <summary>The fields of the record just read (null for an empty field). Valid until the next read.</summary>
    public IReadOnlyList<string?> Fields => _fields;

    /// <summary>The 1-based line the record just read starts on (lines end at LF, or at a CR outside quotes).</summary>
    public long RecordLine { get; private set; }

    /// <summary>Reads the next record; false at the end of the input.</summary>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        _fields.Clear();
        _field.Clear();
        var state = State.FieldStart;
        var started = false;
        RecordLine = _line;
        while (true)
        {
            if (_position == _length)
            {
                cancellationToken.ThrowIfCancellationRequested();
                _length = await _reader.ReadAsync(_buffer.AsMemory(), cancellationToken);
                _position = 0;
                if (_length == 0)
                {
                    if (state is State.Quoted)
                    {
                        throw new CsvFormatException(RecordLine, "a quoted field is not closed before the end of the file");
                    }

                    if (!started)
                    {
                        return false;
                    }

                    EndField();
                    return true;
                }
            }

            var c = _buffer[_position];
            if (_skipLineFeed)
            {
                _skipLineFeed = false;
                if (c == '\n')
                {
                    _position++;
                    continue;
                }
            }

            switch (state)
            {
                case State.FieldStart:
                    _position++;
                    if (c is '\r' or '\n')
                    {
                        EndLine(c);
                        if (!started)
                        {
                            RecordLine = _line;
                            continue;
                        }

                        EndField();
                        return true;
                    }

                    started = true;
                    if (c == '"')
                    {
                        state = State.Quoted;
                    }
                    else if (c == ',')
                    {
                        EndField();
                    }
                    else
                    {
                        _field.Append(c);
                        state = State.Unquoted;
                    }

                    break;

                case State.Unquoted:
                    {
                        if (TakeUntil(UnquotedStops) is not { } separator)
                        {
                            break;
                        }

                        EndField();
                        if (separator == ',')
                        {
                            state = State.FieldStart;
                            break;
                        }

                        EndLine(separator);
                        return true;
                    }

                case State.Quoted:
                    {
                        if (TakeUntil(QuotedStops) is not { } stop)
                        {
                            break;
                        }

                        if (stop == '\n')
                        {
                            _field.Append('\n');
                            _line++;
                        }
                        else
                        {
                            state = State.QuoteInQuoted;
                        }

                        break;
                    }

                case State.QuoteInQuoted:
                    _position++;
                    if (c == '"')
                    {
                        _field.Append('"');
                        state = State.Quoted;
                    }
                    else if (c == ',')
                    {
                        EndField();
                        state = State.FieldStart;
                    }
                    else if (c is '\r' or '\n')
                    {
                        EndField();
                        EndLine(c);
                        return true;
                    }
                    else
                    {
                        throw new CsvFormatException(_line, $"unexpected character '{c}' after a closing quote (a quote inside a quoted field must be doubled)");
                    }

                    break;
            }
        }
    }

    public void Dispose() => _reader.Dispose();

    /// <summary>
    /// Appends the buffered text up to the first of <paramref name="stops"/> to the field and returns that character
    /// (consumed), or appends the whole rest of the buffer and returns null.
    /// </summary>
    private char? TakeUntil(SearchValues<char> stops)
    {
        var span = _buffer.AsSpan(_position, _length - _position);
        var stop = span.IndexOfAny(stops);
        if (stop < 0)
        {
            _field.Append(span);
            _position = _length;
            return null;
        }

        _field.Append(span[..stop]);
        _position += stop + 1;
        return span[stop];
    }

    private void EndField()
    {
        _fields.Add(_field.Length == 0 ? null : _field.ToString());
        _field.Clear();
    }

    private void EndLine(char terminator)
    {
        _line++;
        _skipLineFeed = terminator == '\r';
    }
}

/// <summary>The CSV text itself is malformed at <see cref="Line"/>.</summary>
internal sealed class CsvFormatException(long line, string reason) : Exception($"line {line}: {reason}")
{
    public long Line { get; } = line;

    public string Reason { get; } = reason;
}
