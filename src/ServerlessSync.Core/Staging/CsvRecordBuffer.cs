using System.Buffers.Text;
using System.Globalization;
using System.Text;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Core.Staging;

/// <summary>
/// Whole staged CSV records (<see cref="CsvFormat"/>) formatted straight into UTF-8 bytes in one growable buffer: the very
/// bytes that <see cref="CsvFormat.AppendValue"/>'s text encodes to, without a string or a char copy per field. The stager
/// fills one, hands it to the part writer once it holds a chunk's worth of records, and fills another meanwhile. It grows
/// only to hold the largest single record beyond its capacity.
/// </summary>
internal sealed class CsvRecordBuffer(int capacity)
{
    private static readonly byte[] True = "true"u8.ToArray();
    private static readonly byte[] False = "false"u8.ToArray();
    private byte[] _bytes = new byte[capacity];

    /// <summary>Bytes written since the last <see cref="Clear"/>.</summary>
    public int Length { get; private set; }

    /// <summary>Whole records written since the last <see cref="Clear"/>.</summary>
    public int Records { get; private set; }

    public ReadOnlyMemory<byte> Written => _bytes.AsMemory(0, Length);

    public void Clear()
    {
        Length = 0;
        Records = 0;
    }

    /// <summary>
    /// Appends one record: the row's values in the staged form, NULL as <paramref name="nullMarker"/> (ASCII), then the
    /// <c>_deleted</c> flag and <c>\n</c>. Throws <see cref="Ports.SourceDataException"/> for a value that cannot be staged
    /// exactly, leaving the buffer as it was.
    /// </summary>
    public void AppendRecord(IReadOnlyList<ColumnSchema> columns, object?[] values, bool deleted, byte[] nullMarker)
    {
        var start = Length;
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                AppendValue(columns[i], values[i], nullMarker);
                Ensure(1);
                _bytes[Length++] = (byte)CsvFormat.Delimiter;
            }

            Append(deleted ? True : False);
            Ensure(1);
            _bytes[Length++] = (byte)'\n';
            Records++;
        }
        catch
        {
            Length = start;
            throw;
        }
    }

    private void AppendValue(ColumnSchema column, object? value, byte[] nullMarker)
    {
        if (value is null)
        {
            Append(nullMarker);
            return;
        }

        // Fixed-size values need at most 31 bytes (a decimal), strings at most 3 bytes a UTF-16 unit (quotes doubled: 2).
        const int MaxFixed = 64;
        switch (column.Type.Kind, value)
        {
            case (ColumnKind.String, string s):
                AppendQuoted(s);
                return;
            case (ColumnKind.Int64, long l):
                Ensure(MaxFixed);
                Length += Utf8Formatter.TryFormat(l, Free, out var longBytes) ? longBytes : throw new InvalidOperationException("a long did not fit 64 bytes");
                return;
            case (ColumnKind.Decimal, decimal d):
                CsvFormat.CheckFits(column, d);
                Ensure(MaxFixed);
                Length += d.TryFormat(Free, out var decimalBytes, default, CultureInfo.InvariantCulture) ? decimalBytes : throw new InvalidOperationException("a decimal did not fit 64 bytes");
                return;
            case (ColumnKind.Boolean, bool b):
                Append(b ? True : False);
                return;
            case (ColumnKind.Date, DateOnly date):
                Ensure(MaxFixed);
                Length += CsvFormat.WriteDate(date, Free);
                return;
            case (ColumnKind.Timestamp, DateTimeOffset ts):
                Ensure(MaxFixed);
                Length += CsvFormat.WriteTimestamp(ts, column.Name, Free);
                return;
            default:
                throw CsvFormat.WrongType(column, value);
        }
    }

    private void AppendQuoted(string value)
    {
        Ensure(2 + (3 * value.Length));
        _bytes[Length++] = (byte)CsvFormat.Quote;
        var rest = value.AsSpan();
        int quote;
        while ((quote = rest.IndexOf(CsvFormat.Quote)) >= 0)
        {
            Length += Encoding.UTF8.GetBytes(rest[..quote], Free);
            _bytes[Length++] = (byte)CsvFormat.Quote;
            _bytes[Length++] = (byte)CsvFormat.Quote;
            rest = rest[(quote + 1)..];
        }

        Length += Encoding.UTF8.GetBytes(rest, Free);
        _bytes[Length++] = (byte)CsvFormat.Quote;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(Free);
        Length += bytes.Length;
    }

    private Span<byte> Free => _bytes.AsSpan(Length);

    private void Ensure(int bytes)
    {
        if (_bytes.Length - Length < bytes)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + bytes));
        }
    }
}
