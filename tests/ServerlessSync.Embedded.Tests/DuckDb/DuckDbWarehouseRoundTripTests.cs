using ServerlessSync.Core.Model;
using ServerlessSync.Testing;

namespace ServerlessSync.Embedded.Tests.DuckDb;

public sealed class DuckDbWarehouseRoundTripTests : IDisposable
{
    private static readonly DateTimeOffset T0 = WarehouseScratch.T0;

    private static readonly ObjectSchema Hostile = new("hostile",
    [
        new ColumnSchema("id", ColumnType.String),
        new ColumnSchema("updateddate", ColumnType.Timestamp),
        new ColumnSchema("text", ColumnType.String),
        new ColumnSchema("big", ColumnType.Decimal(38, 9)),
        new ColumnSchema("money", ColumnType.Decimal(18, 2)),
        new ColumnSchema("count", ColumnType.Int64),
        new ColumnSchema("flag", ColumnType.Boolean),
        new ColumnSchema("day", ColumnType.Date),
        new ColumnSchema("at", ColumnType.Timestamp),
    ]);

    private readonly WarehouseScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    public static IEnumerable<string?> HostileTexts()
    {
        yield return null;
        yield return "";
        yield return "\"";
        yield return "\"\"";
        yield return ",";
        yield return "a,b,\"c\"";
        yield return "\r";
        yield return "\n";
        yield return "\r\n";
        yield return "line1\nline2\r\nline3\rline4";
        yield return "\t";
        yield return "\\";
        yield return "\\\\";
        yield return "\\N";
        yield return "\"\\N\"";
        yield return "\\n";
        yield return "N";
        yield return "NULL";
        yield return "null";
        yield return "'single'";
        yield return "🦆";
        yield return "𝄞 clef";
        yield return "ünïcødé ✓ 日本語";
        yield return " leading";
        yield return "trailing ";
        yield return "  both  ";
        yield return " ";
        yield return "#not a comment";
        yield return "true";
        yield return "2024-01-01";
        // Longer than DuckDB's default 2 MB line limit once UTF-8 encoded.
        yield return new string('x', 1_000_000) + "\"\n\\N,\r\n" + string.Concat(Enumerable.Repeat("🦆𝄞", 300_000));
    }

    [Fact]
    public async Task LoadAsync_HostileValues_ReadBackValueByValue()
    {
        var expected = new List<SourceRow>();
        var i = 0;
        foreach (var text in HostileTexts())
        {
            expected.Add(Row($"s{i++:D3}", text, big: 1m, money: 1m, count: 1, flag: true, day: new DateOnly(2024, 1, 1), at: T0));
        }

        expected.Add(Row("n-max", "edges", big: decimal.MaxValue, money: 9_999_999_999_999_999.99m, count: long.MaxValue, flag: true, day: DateOnly.MaxValue, at: new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_990)));
        expected.Add(Row("n-min", "edges", big: decimal.MinValue, money: -9_999_999_999_999_999.99m, count: long.MinValue, flag: false, day: DateOnly.MinValue, at: new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        expected.Add(Row("n-scale", "edges", big: 79_228_162_514_264_337_593.543950335m, money: 0.01m, count: 0, flag: false, day: new DateOnly(2000, 2, 29), at: new DateTimeOffset(2024, 2, 29, 23, 59, 59, TimeSpan.Zero).AddTicks(1_234_560)));
        expected.Add(Row("n-neg-scale", "edges", big: -79_228_162_514_264_337_593.543950335m, money: -0.01m, count: -1, flag: true, day: new DateOnly(1970, 1, 1), at: DateTimeOffset.UnixEpoch));
        expected.Add(Row("n-tiny", "edges", big: 0.000000001m, money: -0.00m, count: 1, flag: true, day: new DateOnly(1, 1, 2), at: DateTimeOffset.UnixEpoch.AddTicks(10)));
        expected.Add(Row("n-zero-scaled", "edges", big: 0.000000000m, money: 0.00m, count: 0, flag: false, day: new DateOnly(9999, 12, 30), at: DateTimeOffset.UnixEpoch.AddTicks(-10)));
        expected.Add(Row("n-nulls", null, big: null, money: null, count: null, flag: null, day: null, at: null));
        // An offset timestamp is staged in UTC; it reads back as the same instant with offset zero.
        expected.Add(Row("n-offset", "edges", big: -1.5m, money: 12.30m, count: 42, flag: true, day: new DateOnly(2024, 12, 31), at: new DateTimeOffset(2024, 6, 1, 2, 0, 0, TimeSpan.FromHours(2))));

        var load = await _scratch.StageAsync(Hostile, expected);
        var outcome = await _scratch.LoadAsync(load, T0);
        var actual = await _scratch.LiveRowsAsync(Hostile);

        Assert.Equal(expected.Count, outcome.Inserted);
        Assert.Equal(expected.Count, actual.Count);
        var byId = actual.ToDictionary(r => (string)r[0]!, StringComparer.Ordinal);
        foreach (var row in expected)
        {
            var id = (string)row.Values[0]!;
            var got = byId[id];
            Assert.Equal(Hostile.Columns.Count, got.Length);
            for (var c = 0; c < Hostile.Columns.Count; c++)
            {
                RowAssert.SameValue(row.Values[c], got[c], $"{id}.{Hostile.Columns[c].Name}");
            }
        }
    }

    [Fact]
    public async Task LoadAsync_SqlKeywordObjectAndColumnNames_RoundTrip()
    {
        // Names are plain lowercase (ObjectSchema.Validate), but SQL keywords among them must still be quoted.
        var schema = new ObjectSchema("order",
        [
            new ColumnSchema("id", ColumnType.String),
            new ColumnSchema("updateddate", ColumnType.Timestamp),
            new ColumnSchema("group", ColumnType.String),
            new ColumnSchema("select", ColumnType.Int64),
        ]);
        SourceRow[] rows = [new(["a", T0, "v", 1L], false)];

        await _scratch.LoadAsync(await _scratch.StageAsync(schema, rows), T0);

        var described = await _scratch.Warehouse.DescribeAsync(schema.Name, CancellationToken.None);
        Assert.Equal(schema.Columns, described!.Columns);
        var live = Assert.Single(await _scratch.LiveRowsAsync(schema));
        Assert.Equal(rows[0].Values, live);
    }

    private static SourceRow Row(string id, string? text, decimal? big, decimal? money, long? count, bool? flag, DateOnly? day, DateTimeOffset? at) =>
        new([id, T0, text, big, money, count, flag, day, at], Deleted: false);
}
