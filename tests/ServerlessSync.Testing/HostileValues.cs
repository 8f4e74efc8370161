namespace ServerlessSync.Testing;

/// <summary>Values that break naive CSV writers, one row per hostile value, for every column kind.</summary>
public static class HostileValues
{
    public static ObjectSchema Schema { get; } = new("hostile",
    [
        new ColumnSchema("id", ColumnType.String),
        new ColumnSchema("createddate", ColumnType.Timestamp),
        new ColumnSchema("updateddate", ColumnType.Timestamp),
        new ColumnSchema("text", ColumnType.String),
        new ColumnSchema("amount", ColumnType.Decimal(38, 9)),
        new ColumnSchema("price", ColumnType.Decimal(18, 2)),
        new ColumnSchema("count", ColumnType.Int64),
        new ColumnSchema("flag", ColumnType.Boolean),
        new ColumnSchema("day", ColumnType.Date),
        new ColumnSchema("moment", ColumnType.Timestamp),
    ]);

    public static IReadOnlyList<string?> Strings { get; } =
    [
        null, "", " ", "  leading", "trailing  ", "\"", "\"\"", "a,b", ",", "line\nbreak", "carriage\rreturn",
        "crlf\r\nend", "\n", "\r\n", "tab\there", "back\\slash", "\\", "\\N", "\"\\N\"", "N", "NULL", "null",
        "𝄞 music", "emoji 😀👍🏽", "中文", "Ünïcödé", "'single'", "semi;colon", "pipe|bar", new string('x', 70_000),
    ];

    public static IReadOnlyList<decimal?> Decimals38 { get; } =
    [
        null, 0m, 0.000000000m, -0.000000001m, 0.000000001m, 9999999999999999999.999999999m, -9999999999999999999.999999999m, 1.5m, -1m,
    ];

    public static IReadOnlyList<decimal?> Decimals18 { get; } =
    [
        null, 0.00m, 9999999999999999.99m, -9999999999999999.99m, 0.01m, -0.01m, 12.30m,
    ];

    public static IReadOnlyList<long?> Longs { get; } = [null, 0, long.MinValue, long.MaxValue, -1];

    public static IReadOnlyList<DateOnly?> Dates { get; } = [null, DateOnly.MinValue, new DateOnly(9999, 12, 31), new DateOnly(2024, 2, 29), new DateOnly(1970, 1, 1)];

    public static IReadOnlyList<DateTimeOffset?> Timestamps { get; } =
    [
        null,
        new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero),
        new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_990),
        new DateTimeOffset(2026, 3, 29, 1, 30, 0, TimeSpan.Zero).AddTicks(1230),
        new DateTimeOffset(1969, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(10),
    ];

    public static IReadOnlyList<bool?> Booleans { get; } = [null, true, false];

    /// <summary>
    /// Enough rows that every list above is walked through at least once. <paramref name="maxStringBytes"/> leaves
    /// out strings longer than a destination holds (Redshift: 65535 bytes), which are tested on their own.
    /// </summary>
    public static IEnumerable<SourceRow> Rows(DateTimeOffset updated, int maxStringBytes = int.MaxValue)
    {
        var strings = Strings.Where(s => s is null || System.Text.Encoding.UTF8.GetByteCount(s) <= maxStringBytes).ToList();
        var n = new[] { strings.Count, Decimals38.Count, Decimals18.Count, Longs.Count, Dates.Count, Timestamps.Count }.Max();
        for (var i = 0; i < n; i++)
        {
            yield return new SourceRow(
            [
                i.ToString("x32", System.Globalization.CultureInfo.InvariantCulture),
                updated.AddDays(-1),
                updated,
                strings[i % strings.Count],
                Decimals38[i % Decimals38.Count],
                Decimals18[i % Decimals18.Count],
                Longs[i % Longs.Count],
                Booleans[i % Booleans.Count],
                Dates[i % Dates.Count],
                Timestamps[i % Timestamps.Count],
            ], Deleted: false);
        }
    }
}
