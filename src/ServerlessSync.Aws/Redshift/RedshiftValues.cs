using System.Globalization;
using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Aws.Redshift;

/// <summary>
/// Reads a Data API <see cref="Field"/> back to the CLR value of a column's kind (the values a source yields):
/// BIGINT arrives as <c>longValue</c>, BOOLEAN as <c>booleanValue</c>; DECIMAL, DATE and TIMESTAMPTZ arrive as
/// text (<c>stringValue</c>), timestamps as <c>2025-03-01 10:15:30.123456+00</c> with trailing zeros of the
/// fraction dropped.
/// </summary>
internal static class RedshiftValues
{
    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd HH:mm:ss.FFFFFFzz",
        "yyyy-MM-dd HH:mm:sszz",
        "yyyy-MM-dd HH:mm:ss.FFFFFFzzz",
        "yyyy-MM-dd HH:mm:sszzz",
    ];

    public static object? Read(Field field, ColumnType type, string column)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (field.IsNull == true)
        {
            return null;
        }

        try
        {
            return type.Kind switch
            {
                ColumnKind.String => field.StringValue ?? throw Unexpected(field, type, column),
                ColumnKind.Int64 => field.LongValue ?? long.Parse(Text(field, type, column), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                ColumnKind.Decimal => decimal.Parse(Text(field, type, column), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture),
                ColumnKind.Boolean => field.BooleanValue ?? Text(field, type, column) switch
                {
                    "true" or "t" => true,
                    "false" or "f" => false,
                    _ => throw Unexpected(field, type, column),
                },
                ColumnKind.Date => DateOnly.ParseExact(Text(field, type, column), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                ColumnKind.Timestamp => DateTimeOffset.ParseExact(Text(field, type, column), TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.None).ToUniversalTime(),
                _ => throw Unexpected(field, type, column),
            };
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"column {column} ({type}): cannot read '{field.StringValue}': {e.Message}", e);
        }
    }

    private static string Text(Field field, ColumnType type, string column) => field.StringValue ?? throw Unexpected(field, type, column);

    private static InvalidDataException Unexpected(Field field, ColumnType type, string column) =>
        new($"column {column} ({type}): the Data API returned an unexpected field (string {field.StringValue ?? "none"}, long {field.LongValue?.ToString(CultureInfo.InvariantCulture) ?? "none"}, boolean {field.BooleanValue?.ToString() ?? "none"})");
}
