using System.Text;
using System.Text.Json;

namespace ServerlessSync.Sources.Files;

/// <summary>What parsing a date or datetime text found.</summary>
internal enum TemporalText
{
    /// <summary>A valid value.</summary>
    Valid,
    /// <summary>Not shaped like the type at all.</summary>
    NotThisShape,
    /// <summary>Shaped like the type but not a real value (month 13, offset +15:00, …).</summary>
    OutOfRange,
    /// <summary>A datetime with a non-zero digit below the microsecond.</summary>
    FinerThanMicrosecond,
}

/// <summary>A JSON number as written: whether it is an integer and how many digits it carries.</summary>
/// <param name="IsInteger">No fraction and no exponent.</param>
/// <param name="WrittenPlaces">Decimal places as written, exponent applied, trailing zeros counted (<c>1.50</c>: 2).</param>
/// <param name="NormalizedPlaces">Decimal places the value needs (<c>1.50</c>: 1).</param>
/// <param name="SignificantDigits">Digits between the first and last non-zero digit.</param>
internal readonly record struct NumberText(bool IsInteger, int WrittenPlaces, int NormalizedPlaces, int SignificantDigits);

/// <summary>The text forms the files source recognises, and helpers over <see cref="Utf8JsonReader"/>.</summary>
internal static class JsonValues
{
    /// <summary>Digits a <see cref="decimal"/> always holds exactly.</summary>
    public const int MaxDecimalDigits = 28;

    /// <summary>Longest string tested for a date or datetime; longer strings are neither.</summary>
    public const int MaxTemporalLength = 64;

    private const int MaxShownLength = 60;

    public static bool IsBlank(ReadOnlySpan<byte> line) => line.IndexOfAnyExcept(" \t\r"u8) < 0;

    /// <summary><c>YYYY-MM-DD</c> exactly.</summary>
    public static TemporalText ParseDate(ReadOnlySpan<char> text, out DateOnly value)
    {
        value = default;
        if (text.Length != 10 || !Digits(text, 0, 4, out var year) || text[4] != '-' || !Digits(text, 5, 2, out var month) || text[7] != '-' || !Digits(text, 8, 2, out var day))
        {
            return TemporalText.NotThisShape;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return TemporalText.OutOfRange;
        }

        value = new DateOnly(year, month, day);
        return TemporalText.Valid;
    }

    /// <summary>
    /// <c>YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)</c>: an ISO-8601 datetime with seconds and an offset, any
    /// number of fraction digits. The value is converted to UTC (offset 0). Digits below the microsecond must be zero.
    /// </summary>
    public static TemporalText ParseTimestamp(ReadOnlySpan<char> text, out DateTimeOffset utc)
    {
        utc = default;
        if (text.Length < 20 || text[10] != 'T' || ParseDate(text[..10], out var date) == TemporalText.NotThisShape
            || !Digits(text, 11, 2, out var hour) || text[13] != ':' || !Digits(text, 14, 2, out var minute) || text[16] != ':' || !Digits(text, 17, 2, out var second))
        {
            return TemporalText.NotThisShape;
        }

        var i = 19;
        long fractionTicks = 0;
        var finerThanMicrosecond = false;
        if (text[i] == '.')
        {
            var first = ++i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                var digit = text[i] - '0';
                var position = i - first; // 0 = tenths of a second
                if (position < 7)
                {
                    fractionTicks = (fractionTicks * 10) + digit;
                }

                if (position >= 6 && digit != 0)
                {
                    finerThanMicrosecond = true;
                }

                i++;
            }

            if (i == first)
            {
                return TemporalText.NotThisShape;
            }

            for (var pad = i - first; pad < 7; pad++)
            {
                fractionTicks *= 10;
            }
        }

        TimeSpan offset;
        var zone = text[i..];
        if (zone is "Z" or "z")
        {
            offset = TimeSpan.Zero;
        }
        else if (zone.Length == 6 && zone[0] is '+' or '-' && Digits(zone, 1, 2, out var offsetHours) && zone[3] == ':' && Digits(zone, 4, 2, out var offsetMinutes))
        {
            if (offsetMinutes > 59 || (offsetHours * 60) + offsetMinutes > 14 * 60)
            {
                return TemporalText.OutOfRange;
            }

            offset = new TimeSpan(offsetHours, offsetMinutes, 0) * (zone[0] == '-' ? -1 : 1);
        }
        else
        {
            return TemporalText.NotThisShape;
        }

        if (hour > 23 || minute > 59 || second > 59 || ParseDate(text[..10], out date) != TemporalText.Valid)
        {
            return TemporalText.OutOfRange;
        }

        var localTicks = date.ToDateTime(new TimeOnly(hour, minute, second)).Ticks + fractionTicks;
        var utcTicks = localTicks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return TemporalText.OutOfRange;
        }

        if (finerThanMicrosecond)
        {
            return TemporalText.FinerThanMicrosecond;
        }

        utc = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        return TemporalText.Valid;
    }

    /// <summary>Reads a JSON number's text (already validated by the reader).</summary>
    public static NumberText AnalyzeNumber(ReadOnlySpan<byte> raw)
    {
        var i = raw.Length > 0 && raw[0] == (byte)'-' ? 1 : 0;
        var integerStart = i;
        while (i < raw.Length && char.IsAsciiDigit((char)raw[i]))
        {
            i++;
        }

        var integerDigits = raw[integerStart..i];
        var fractionDigits = ReadOnlySpan<byte>.Empty;
        if (i < raw.Length && raw[i] == (byte)'.')
        {
            var fractionStart = ++i;
            while (i < raw.Length && char.IsAsciiDigit((char)raw[i]))
            {
                i++;
            }

            fractionDigits = raw[fractionStart..i];
        }

        long exponent = 0;
        var hasExponent = i < raw.Length && raw[i] is (byte)'e' or (byte)'E';
        if (hasExponent)
        {
            i++;
            var negative = i < raw.Length && raw[i] == (byte)'-';
            if (i < raw.Length && raw[i] is (byte)'-' or (byte)'+')
            {
                i++;
            }

            for (; i < raw.Length && char.IsAsciiDigit((char)raw[i]); i++)
            {
                exponent = Math.Min((exponent * 10) + (raw[i] - '0'), 1_000_000);
            }

            exponent = negative ? -exponent : exponent;
        }

        // The digit string D = integer digits then fraction digits; the value is D × 10^(exponent − fraction length).
        var total = integerDigits.Length + fractionDigits.Length;
        var leadingZeros = 0;
        while (leadingZeros < total && DigitAt(integerDigits, fractionDigits, leadingZeros) == '0')
        {
            leadingZeros++;
        }

        var trailingZeros = 0;
        while (trailingZeros < total - leadingZeros && DigitAt(integerDigits, fractionDigits, total - 1 - trailingZeros) == '0')
        {
            trailingZeros++;
        }

        var significant = total - leadingZeros - trailingZeros;
        var written = Clamp(fractionDigits.Length - exponent);
        var normalized = significant == 0 ? 0 : Clamp(fractionDigits.Length - exponent - trailingZeros);
        return new NumberText(fractionDigits.IsEmpty && !hasExponent, written, normalized, significant);

        static int Clamp(long places) => (int)Math.Clamp(places, 0, int.MaxValue);
    }

    /// <summary>The reader's complaint without its own line count (always 0 here: it reads one line).</summary>
    public static string InvalidJson(JsonException e)
    {
        var message = e.Message;
        var suffix = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return $"invalid JSON at byte {e.BytePositionInLine + 1}: {(suffix < 0 ? message : message[..suffix])}";
    }

    /// <summary>The token's raw JSON text: a number or literal as written, a nested object or array whole (skipped past).</summary>
    public static string RawText(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            return Encoding.UTF8.GetString(line[start..(int)reader.BytesConsumed]);
        }

        return Encoding.UTF8.GetString(reader.ValueSpan);
    }

    /// <summary>The current value for an error message, shortened: <c>"text"</c>, <c>12.5</c>, <c>true</c>, <c>an object</c>.</summary>
    public static string Show(ref Utf8JsonReader reader)
    {
        var text = reader.TokenType switch
        {
            JsonTokenType.String => $"\"{reader.GetString()}\"",
            JsonTokenType.StartObject => "an object",
            JsonTokenType.StartArray => "an array",
            _ => Encoding.UTF8.GetString(reader.ValueSpan),
        };
        return text.Length <= MaxShownLength ? text : string.Concat(text.AsSpan(0, MaxShownLength), "…");
    }

    /// <summary>The current string token as characters, in <paramref name="buffer"/> when it fits, else allocated.</summary>
    public static ReadOnlySpan<char> Chars(ref Utf8JsonReader reader, Span<char> buffer)
    {
        // UTF-8 (escaped or not) never has fewer bytes than the text has UTF-16 chars.
        if (!reader.HasValueSequence && reader.ValueSpan.Length <= buffer.Length)
        {
            return buffer[..reader.CopyString(buffer)];
        }

        return reader.GetString();
    }

    private static char DigitAt(ReadOnlySpan<byte> integer, ReadOnlySpan<byte> fraction, int index) =>
        (char)(index < integer.Length ? integer[index] : fraction[index - integer.Length]);

    private static bool Digits(ReadOnlySpan<char> text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return false;
            }

            value = (value * 10) + (text[i] - '0');
        }

        return true;
    }
}
