using System.Globalization;

namespace ServerlessSync.Core.Model;

/// <summary>The few column kinds a billing object needs. Each maps to one CLR type in a <see cref="SourceRow"/>.</summary>
public enum ColumnKind
{
    /// <summary><see cref="string"/>.</summary>
    String,
    /// <summary><see cref="long"/>.</summary>
    Int64,
    /// <summary><see cref="decimal"/>, with a declared precision and scale.</summary>
    Decimal,
    /// <summary><see cref="bool"/>.</summary>
    Boolean,
    /// <summary><see cref="DateOnly"/>.</summary>
    Date,
    /// <summary><see cref="DateTimeOffset"/> in UTC, microsecond precision.</summary>
    Timestamp,
}

/// <summary>
/// A destination-neutral column type. Its text form (<c>varchar</c>, <c>bigint</c>, <c>decimal(18,2)</c>,
/// <c>boolean</c>, <c>date</c>, <c>timestamptz</c>) is what manifests carry and what users declare.
/// </summary>
public readonly record struct ColumnType(ColumnKind Kind, int Precision = 0, int Scale = 0)
{
    /// <summary>Largest precision every destination (Redshift, DuckDB) accepts.</summary>
    public const int MaxDecimalPrecision = 38;

    /// <summary>The largest decimal scale: Redshift's (DuckDB would take 38).</summary>
    public const int MaxDecimalScale = 37;

    /// <summary>
    /// At precision 19 and below Redshift keeps a decimal in 64 bits: its unscaled value (the digits without the
    /// point) can be at most this, in either direction, though precision 19 alone would allow 19 nines.
    /// </summary>
    public const long MaxUnscaled64BitDecimal = long.MaxValue;

    /// <summary>The largest precision Redshift keeps in 64 bits (<see cref="MaxUnscaled64BitDecimal"/>).</summary>
    public const int Max64BitDecimalPrecision = 19;

    public static ColumnType String { get; } = new(ColumnKind.String);
    public static ColumnType Int64 { get; } = new(ColumnKind.Int64);
    public static ColumnType Boolean { get; } = new(ColumnKind.Boolean);
    public static ColumnType Date { get; } = new(ColumnKind.Date);
    public static ColumnType Timestamp { get; } = new(ColumnKind.Timestamp);

    public static ColumnType Decimal(int precision, int scale)
    {
        if (DecimalProblem(precision, scale) is { } problem)
        {
            throw new ArgumentOutOfRangeException(nameof(precision), problem);
        }

        return new ColumnType(ColumnKind.Decimal, precision, scale);
    }

    /// <summary>Why decimal(<paramref name="precision"/>,<paramref name="scale"/>) is no column type, or null when it is one.</summary>
    private static string? DecimalProblem(int precision, int scale)
    {
        if (precision is >= 1 and <= MaxDecimalPrecision && scale >= 0 && scale <= precision && scale <= MaxDecimalScale)
        {
            return null;
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"decimal({precision},{scale}) is not a valid type: precision must be 1..{MaxDecimalPrecision} and scale 0..{MaxDecimalScale} (Redshift's largest), at most the precision");
    }

    public override string ToString() => Kind switch
    {
        ColumnKind.String => "varchar",
        ColumnKind.Int64 => "bigint",
        ColumnKind.Decimal => string.Create(CultureInfo.InvariantCulture, $"decimal({Precision},{Scale})"),
        ColumnKind.Boolean => "boolean",
        ColumnKind.Date => "date",
        ColumnKind.Timestamp => "timestamptz",
        _ => throw new InvalidOperationException($"unknown column kind {Kind}"),
    };

    /// <summary>Parses the text form; throws <see cref="FormatException"/> naming the text on anything else.</summary>
    public static ColumnType Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim().ToLowerInvariant();
        switch (t)
        {
            case "varchar" or "string" or "text":
                return String;
            case "bigint" or "int64" or "integer" or "long":
                return Int64;
            case "boolean" or "bool":
                return Boolean;
            case "date":
                return Date;
            case "timestamptz" or "timestamp" or "datetime":
                return Timestamp;
        }

        if (t.StartsWith("decimal(", StringComparison.Ordinal) && t.EndsWith(')'))
        {
            var args = t["decimal(".Length..^1].Split(',');
            if (args.Length == 2
                && int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var p)
                && int.TryParse(args[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var s))
            {
                return DecimalProblem(p, s) is { } problem
                    ? throw new FormatException($"'{text}': {problem}")
                    : new ColumnType(ColumnKind.Decimal, p, s);
            }
        }

        throw new FormatException($"'{text}' is not a column type; use varchar, bigint, decimal(p,s), boolean, date or timestamptz");
    }
}
