using System.Globalization;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Zuora.Csv;

/// <summary>
/// Turns one non-empty CSV field of an AQuA or Data Query export into the CLR value of its column kind (forms in
/// docs/zuora-wire.md): varchar → string as is; bigint → long; decimal → decimal, exact within the declared precision
/// and scale (trailing zeros past the scale are dropped); boolean → <c>true</c>/<c>false</c> in any case; date →
/// <c>yyyy-MM-dd</c> or <c>MM/dd/yyyy</c>; timestamptz → ISO-8601 with <c>Z</c>, <c>±hh:mm</c> or <c>±hhmm</c>, or
/// without an offset (taken as UTC), <c>T</c> or a space between date and time, or a date alone (<c>yyyy-MM-dd</c>,
/// which an export writes for a datetime at midnight in Zuora system time: that midnight); converted to UTC and
/// truncated to microseconds (the warehouse precision).
/// </summary>
internal static class ZuoraValues
{
    private static readonly string[] TimestampForms =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF K",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF K",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd HH:mmK",
    ];

    private static readonly string[] DateForms = ["yyyy-MM-dd", "MM/dd/yyyy", "M/d/yyyy"];

    /// <summary>
    /// The value; throws <see cref="FormatException"/> with a short reason (no value text) when it does not parse. A date
    /// alone in a timestamp column is midnight in <paramref name="systemTimeZone"/> (Pacific when null).
    /// </summary>
    public static object Parse(string text, ColumnType type, TimeZoneInfo? systemTimeZone = null) => type.Kind switch
    {
        ColumnKind.String => text,
        ColumnKind.Int64 => ParseInt64(text),
        ColumnKind.Decimal => ParseDecimal(text, type),
        ColumnKind.Boolean => ParseBoolean(text),
        ColumnKind.Date => ParseDate(text),
        ColumnKind.Timestamp => ParseTimestamp(text, systemTimeZone ?? ZuoraTime.Pacific),
        _ => throw new FormatException($"unknown column kind {type.Kind}"),
    };

    public static long ParseInt64(string text)
    {
        var t = text.Trim();
        if (long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        // Zuora can write a whole number with a fraction of zeros (1.0).
        if (decimal.TryParse(t, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d)
            && d == decimal.Truncate(d) && d is >= long.MinValue and <= long.MaxValue)
        {
            return (long)d;
        }

        throw new FormatException("not a whole number in bigint range");
    }

    public static decimal ParseDecimal(string text, ColumnType type)
    {
        if (!decimal.TryParse(text.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException("not a decimal number");
        }

        // decimal.TryParse rounds past 28-29 significant digits: the digits parsed must be the digits written.
        if (!SameDigits(text, value))
        {
            throw new FormatException($"has more significant digits than {type} can hold exactly");
        }

        if (value.Scale > type.Scale)
        {
            var rounded = Math.Round(value, type.Scale);
            if (rounded != value)
            {
                throw new FormatException($"has more than {type.Scale} decimal places ({type})");
            }

            value = rounded;
        }

        var integerDigits = IntegerDigits(value);
        if (integerDigits > type.Precision - type.Scale)
        {
            throw new FormatException($"has {integerDigits} digits before the decimal point; {type} allows {type.Precision - type.Scale}");
        }

        return value;
    }

    public static bool ParseBoolean(string text) => text.Trim() switch
    {
        var t when t.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
        var t when t.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
        _ => throw new FormatException("not true or false"),
    };

    public static DateOnly ParseDate(string text)
    {
        var t = text.Trim();
        if (DateOnly.TryParseExact(t, DateForms, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        // A datetime in a date column: its UTC date.
        if (TryParseTimestamp(t, out var moment))
        {
            return DateOnly.FromDateTime(moment.UtcDateTime);
        }

        throw new FormatException("not a date (yyyy-MM-dd or MM/dd/yyyy)");
    }

    public static DateTimeOffset ParseTimestamp(string text) => ParseTimestamp(text, ZuoraTime.Pacific);

    /// <summary>A datetime, or a date alone taken as midnight in <paramref name="systemTimeZone"/>, in UTC.</summary>
    public static DateTimeOffset ParseTimestamp(string text, TimeZoneInfo systemTimeZone)
    {
        var t = text.Trim();
        if (TryParseTimestamp(t, out var value))
        {
            return value;
        }

        if (DateOnly.TryParseExact(t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            var midnight = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
            return new DateTimeOffset(midnight, systemTimeZone.GetUtcOffset(midnight)).ToUniversalTime();
        }

        throw new FormatException("not an ISO-8601 datetime (yyyy-MM-ddTHH:mm:ss with an optional offset) or a date");
    }

    private static bool TryParseTimestamp(string text, out DateTimeOffset value)
    {
        var normalized = InsertOffsetColon(text);
        if (DateTimeOffset.TryParseExact(normalized, TimestampForms, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            value = new DateTimeOffset(parsed.UtcTicks - (parsed.UtcTicks % 10), TimeSpan.Zero);
            return true;
        }

        value = default;
        return false;
    }

    /// <summary><c>…-0800</c> → <c>…-08:00</c>: .NET's offset pattern wants the colon.</summary>
    private static string InsertOffsetColon(string text)
    {
        if (text.Length > 16)
        {
            var sign = text[^5];
            if ((sign == '+' || sign == '-') && text.AsSpan(text.Length - 4).IndexOfAnyExceptInRange('0', '9') < 0 && char.IsAsciiDigit(text[^6]))
            {
                return string.Concat(text.AsSpan(0, text.Length - 2), ":", text.AsSpan(text.Length - 2));
            }
        }

        return text;
    }

    /// <summary>
    /// Whether <paramref name="value"/> has exactly the significant digits of <paramref name="text"/> (its mantissa,
    /// an exponent aside), leading and trailing zeros ignored: false when parsing rounded.
    /// </summary>
    private static bool SameDigits(string text, decimal value)
    {
        var t = text.Trim();
        var exponentAt = t.IndexOfAny(['e', 'E']);
        var mantissa = exponentAt < 0 ? t : t[..exponentAt];
        return SignificantDigits(mantissa) == SignificantDigits(value.ToString(CultureInfo.InvariantCulture));
    }

    private static string SignificantDigits(string number) =>
        string.Concat(number.Where(char.IsAsciiDigit)).Trim('0');

    private static int IntegerDigits(decimal value)
    {
        var whole = decimal.Truncate(Math.Abs(value));
        var digits = 0;
        while (whole >= 1)
        {
            whole = decimal.Truncate(whole / 10);
            digits++;
        }

        return digits;
    }
}
