using System.Globalization;
using System.Text;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Core.Staging;

/// <summary>
/// The staged CSV dialect, loadable as it is by Redshift <c>COPY … CSV GZIP NULL AS 'marker'</c>, DuckDB
/// <c>read_csv(nullstr='marker', allow_quoted_nulls=false)</c> and PostgreSQL <c>COPY … (FORMAT csv, NULL 'marker')</c>:
/// <list type="bullet">
/// <item>UTF-8 without BOM, no header, fields separated by <c>,</c>, records ended by <c>\n</c>.</item>
/// <item>NULL is the unquoted field holding the staging's NULL marker (<see cref="NullMarkers"/>): each run's object has
/// its own, named in its manifest, and equal to no staged string. Every string is quoted, with <c>"</c>
/// doubled, so the empty string is <c>""</c>. Whether a warehouse would read a <em>quoted</em> marker as NULL (Redshift's
/// documentation does not say) never matters: no string equals the marker, so none is written. CR, LF, tabs, commas and
/// backslashes stand as they are inside the quotes (CSV has no other escapes).</item>
/// <item>bigint and decimal: invariant digits, no exponent, no grouping; decimal keeps its scale.</item>
/// <item>boolean: <c>true</c>/<c>false</c>. date: <c>yyyy-MM-dd</c>.</item>
/// <item>timestamptz: UTC as <c>yyyy-MM-dd HH:mm:ss.ffffff+00</c> (microseconds, the precision of both warehouses).</item>
/// </list>
/// After the object's columns comes the <c>_deleted</c> flag.
/// </summary>
public static class CsvFormat
{
    /// <summary>The NULL marker of manifests older than <see cref="StagedManifest.CurrentFormat"/>, and of row fingerprints.</summary>
    public const string LegacyNullMarker = "\\N";
    public const char Delimiter = ',';
    public const char Quote = '"';
    public const string TimestampFormat = "yyyy-MM-dd HH:mm:ss.ffffff'+00'";
    public const string DateFormat = "yyyy-MM-dd";

    /// <summary>
    /// Appends one value in the staged form, NULL as <paramref name="nullMarker"/>. Throws <see cref="Ports.SourceDataException"/>
    /// when it cannot be staged exactly.
    /// </summary>
    /// <param name="line">the line being built</param>
    /// <param name="column">the value's column</param>
    /// <param name="value">the value, null for NULL</param>
    /// <param name="nullMarker">what stands for NULL (unquoted)</param>
    public static void AppendValue(StringBuilder line, ColumnSchema column, object? value, string nullMarker)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(column);
        if (value is null)
        {
            line.Append(nullMarker);
            return;
        }

        switch (column.Type.Kind, value)
        {
            case (ColumnKind.String, string s):
                AppendQuoted(line, s);
                break;
            case (ColumnKind.Int64, long l):
                line.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case (ColumnKind.Decimal, decimal d):
                CheckFits(column, d);
                line.Append(d.ToString(CultureInfo.InvariantCulture));
                break;
            case (ColumnKind.Boolean, bool b):
                line.Append(b ? "true" : "false");
                break;
            case (ColumnKind.Date, DateOnly date):
                line.Append(date.ToString(DateFormat, CultureInfo.InvariantCulture));
                break;
            case (ColumnKind.Timestamp, DateTimeOffset ts):
                line.Append(FormatTimestamp(ts, column.Name));
                break;
            default:
                throw WrongType(column, value);
        }
    }

    /// <summary>The refusal of a value whose CLR type is not its column's.</summary>
    internal static Ports.SourceDataException WrongType(ColumnSchema column, object value) =>
        new($"column '{column.Name}' ({column.Type}) got a {value.GetType().Name} value '{value}'");

    /// <summary>The canonical text of a timestamp: UTC, microseconds. Sub-microsecond values are refused, never rounded.</summary>
    public static string FormatTimestamp(DateTimeOffset value, string columnName)
    {
        Span<byte> ascii = stackalloc byte[TimestampLength];
        WriteTimestamp(value, columnName, ascii);
        return Encoding.ASCII.GetString(ascii);
    }

    /// <summary>The length of <see cref="TimestampFormat"/>'s text: <c>yyyy-MM-dd HH:mm:ss.ffffff+00</c>.</summary>
    public const int TimestampLength = 29;

    /// <summary>The length of <see cref="DateFormat"/>'s text.</summary>
    public const int DateLength = 10;

    /// <summary>
    /// Writes <see cref="FormatTimestamp"/>'s text as ASCII into <paramref name="destination"/> (at least
    /// <see cref="TimestampLength"/> bytes) and returns its length; the same refusal of sub-microsecond values.
    /// </summary>
    /// <param name="value">the timestamp</param>
    /// <param name="columnName">its column, for the refusal's message</param>
    /// <param name="destination">where the text goes</param>
    public static int WriteTimestamp(DateTimeOffset value, string columnName, Span<byte> destination)
    {
        var ticks = value.UtcTicks;
        if (ticks % 10 != 0)
        {
            throw new Ports.SourceDataException($"column '{columnName}': timestamp {value:O} is finer than a microsecond; warehouses keep microseconds");
        }

        var ofDay = ticks % TimeSpan.TicksPerDay;
        WriteDate(DateOnly.FromDayNumber((int)(ticks / TimeSpan.TicksPerDay)), destination);
        destination[10] = (byte)' ';
        WriteDigits(destination.Slice(11, 2), ofDay / TimeSpan.TicksPerHour);
        destination[13] = (byte)':';
        WriteDigits(destination.Slice(14, 2), ofDay / TimeSpan.TicksPerMinute % 60);
        destination[16] = (byte)':';
        WriteDigits(destination.Slice(17, 2), ofDay / TimeSpan.TicksPerSecond % 60);
        destination[19] = (byte)'.';
        WriteDigits(destination.Slice(20, 6), ofDay % TimeSpan.TicksPerSecond / 10);
        "+00"u8.CopyTo(destination[26..]);
        return TimestampLength;
    }

    /// <summary>Writes <paramref name="date"/> as <see cref="DateFormat"/> (ASCII) and returns its length, <see cref="DateLength"/>.</summary>
    /// <param name="date">the date</param>
    /// <param name="destination">where the text goes</param>
    public static int WriteDate(DateOnly date, Span<byte> destination)
    {
        var (year, month, day) = date;
        WriteDigits(destination[..4], year);
        destination[4] = (byte)'-';
        WriteDigits(destination.Slice(5, 2), month);
        destination[7] = (byte)'-';
        WriteDigits(destination.Slice(8, 2), day);
        return DateLength;
    }

    /// <summary>Writes the low digits of <paramref name="value"/> (not negative), zero-padded to the destination's length.</summary>
    private static void WriteDigits(Span<byte> destination, long value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    public static void AppendQuoted(StringBuilder line, string value)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(value);
        line.Append(Quote);
        foreach (var c in value)
        {
            if (c == Quote)
            {
                line.Append(Quote);
            }

            line.Append(c);
        }

        line.Append(Quote);
    }

    /// <summary>Throws when <paramref name="value"/> does not fit the column's declared decimal(p,s) exactly.</summary>
    public static void CheckFits(ColumnSchema column, decimal value)
    {
        ArgumentNullException.ThrowIfNull(column);
        var scale = column.Type.Scale;
        // Only a value written with more places than the column needs the (costly) check: dividing by one
        // strips its trailing zeros, and what is left must fit the scale.
        if (value.Scale > scale && (value / 1.0000000000000000000000000000m) is var normalized && normalized.Scale > scale)
        {
            throw new Ports.SourceDataException($"column '{column.Name}' is {column.Type} but value {value.ToString(CultureInfo.InvariantCulture)} has {normalized.Scale} decimal places");
        }

        var integerDigits = column.Type.Precision - scale;
        var magnitude = decimal.Truncate(Math.Abs(value));
        if (integerDigits < 29 && magnitude >= Pow10(integerDigits))
        {
            throw new Ports.SourceDataException($"column '{column.Name}' is {column.Type} but value {value.ToString(CultureInfo.InvariantCulture)} has more than {integerDigits} integer digits");
        }

        // Only precision 19 can hold more than 64 bits' worth (below it, the digits alone keep it inside).
        if (column.Type.Precision == ColumnType.Max64BitDecimalPrecision && Math.Abs(value) * Pow10(scale) > ColumnType.MaxUnscaled64BitDecimal)
        {
            throw new Ports.SourceDataException(
                $"column '{column.Name}' is {column.Type} but value {value.ToString(CultureInfo.InvariantCulture)} is beyond what Redshift keeps at precision {ColumnType.Max64BitDecimalPrecision} " +
                $"(at most {ColumnType.MaxUnscaled64BitDecimal} without the decimal point); declare the column with precision 20 or more");
        }
    }

    /// <summary>10^0 … 10^28, every power a decimal holds.</summary>
    private static readonly decimal[] PowersOf10 = CreatePowersOf10();

    private static decimal Pow10(int exponent) => PowersOf10[exponent];

    private static decimal[] CreatePowersOf10()
    {
        var powers = new decimal[29];
        powers[0] = 1m;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10m;
        }

        return powers;
    }

    /// <summary>Parses one field of the staged form back to its CLR value.</summary>
    /// <param name="type">the column's type</param>
    /// <param name="field">the field's text, unquoted</param>
    /// <param name="quoted">whether it stood in quotes</param>
    /// <param name="nullMarker">what stands for NULL (the manifest's <see cref="StagedManifest.NullMarker"/>)</param>
    public static object? ParseValue(ColumnType type, string field, bool quoted, string nullMarker)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (!quoted && field == nullMarker)
        {
            return null;
        }

        return type.Kind switch
        {
            ColumnKind.String => field,
            ColumnKind.Int64 => long.Parse(field, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
            ColumnKind.Decimal => decimal.Parse(field, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture),
            ColumnKind.Boolean => field switch
            {
                "true" => true,
                "false" => false,
                _ => throw new FormatException($"'{field}' is not a boolean"),
            },
            ColumnKind.Date => DateOnly.ParseExact(field, DateFormat, CultureInfo.InvariantCulture),
            ColumnKind.Timestamp => new DateTimeOffset(DateTime.SpecifyKind(DateTime.ParseExact(field, TimestampFormat, CultureInfo.InvariantCulture), DateTimeKind.Utc)),
            _ => throw new FormatException($"unknown column kind {type.Kind}"),
        };
    }

    /// <summary>
    /// Reads staged CSV records as (field, quoted) pairs: the inverse of the writer, for checks and test doubles.
    /// </summary>
    public static IEnumerable<IReadOnlyList<(string Field, bool Quoted)>> ReadRecords(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var fields = new List<(string, bool)>();
        var current = new StringBuilder();
        var quoted = false;
        var inQuotes = false;
        var any = false;
        int ch;
        while ((ch = reader.Read()) >= 0)
        {
            var c = (char)ch;
            any = true;
            if (inQuotes)
            {
                if (c == Quote)
                {
                    if (reader.Peek() == Quote)
                    {
                        reader.Read();
                        current.Append(Quote);
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    current.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case Quote:
                    inQuotes = true;
                    quoted = true;
                    break;
                case Delimiter:
                    fields.Add((current.ToString(), quoted));
                    current.Clear();
                    quoted = false;
                    break;
                case '\n':
                    fields.Add((current.ToString(), quoted));
                    yield return fields;
                    fields = [];
                    current.Clear();
                    quoted = false;
                    any = false;
                    break;
                default:
                    current.Append(c);
                    break;
            }
        }

        if (inQuotes)
        {
            throw new InvalidDataException("staged CSV ends inside a quoted field");
        }

        if (any)
        {
            fields.Add((current.ToString(), quoted));
            yield return fields;
        }
    }
}
