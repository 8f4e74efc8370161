using System.Text.Json;
using ServerlessSync.Core.Model;
using ServerlessSync.Zuora.Jobs;

namespace ServerlessSync.Zuora.Tests.Source;

public class ZuoraQueriesTests
{
    private static readonly ZuoraObject Account = ZuoraCatalog.Find("account")!;
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Zoql_IncrementalWindow_HasBothConditionsInIsoWithTAndMilliseconds()
    {
        var zoql = ZuoraQueries.Zoql(Account, ["Id", "Name", "UpdatedDate"], new SyncWindow(Start, Start.AddDays(1)));

        Assert.Equal("select Id, Name, UpdatedDate from Account where UpdatedDate >= '2026-11-01T00:00:00.000+00:00' and UpdatedDate < '2026-11-02T00:00:00.000+00:00'", zoql);
    }

    [Fact]
    public void Zoql_HistoricalWindow_HasOnlyTheEndCondition()
    {
        var zoql = ZuoraQueries.Zoql(Account, ["Id", "UpdatedDate"], SyncWindow.Historical(Start));

        Assert.Equal("select Id, UpdatedDate from Account where UpdatedDate < '2026-11-01T00:00:00.000+00:00'", zoql);
    }

    [Fact]
    public void Zoql_OffsetAndSubMillisecondBounds_AreUtcStartFlooredEndCeiled()
    {
        var start = new DateTimeOffset(2026, 11, 1, 3, 0, 0, TimeSpan.FromHours(2)).AddTicks(4_999);
        var end = new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1);

        var zoql = ZuoraQueries.Zoql(Account, ["Id"], new SyncWindow(start, end));

        Assert.EndsWith("UpdatedDate >= '2026-11-01T01:00:00.000+00:00' and UpdatedDate < '2026-11-01T12:00:00.001+00:00'", zoql, StringComparison.Ordinal);
    }

    [Fact]
    public void AquaJob_EveryCatalogObject_NameWithinZuorasLimitOf32Characters()
    {
        var names = ZuoraCatalog.All.Select(o => JsonDocument.Parse(ZuoraQueries.AquaJob(o, "select Id from X")).RootElement.GetProperty("name").GetString()!).ToList();

        Assert.All(names, n => Assert.InRange(n.Length, 1, 32));
        Assert.Equal(ZuoraCatalog.All.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void DeletedSql_IncrementalWindow_UsesLowercaseTableAndTimestampLiterals()
    {
        var sql = ZuoraQueries.DeletedSql(Account, new SyncWindow(Start, Start.AddDays(1)));

        Assert.Equal("select id, updateddate from account where updateddate >= timestamp '2026-11-01 00:00:00.000 +00:00' and updateddate < timestamp '2026-11-02 00:00:00.000 +00:00'", sql);
    }

    [Fact]
    public void DeletedSql_HistoricalWindow_Throws() =>
        Assert.Throws<ArgumentException>(() => ZuoraQueries.DeletedSql(Account, SyncWindow.Historical(Start)));

    [Fact]
    public void AquaJob_Body_IsStatelessCsvWithOneZoqlExport()
    {
        using var body = JsonDocument.Parse(ZuoraQueries.AquaJob(Account, "select Id from Account"));
        var root = body.RootElement;

        Assert.Equal("csv", root.GetProperty("format").GetString());
        Assert.Equal("1.0", root.GetProperty("version").GetString());
        Assert.Equal("true", root.GetProperty("useQueryLabels").GetString());
        Assert.Equal("true", root.GetProperty("dateTimeUtc").GetString());
        Assert.Equal("none", root.GetProperty("encrypted").GetString());
        Assert.False(root.TryGetProperty("partner", out _));
        Assert.False(root.TryGetProperty("project", out _));
        var query = Assert.Single(root.GetProperty("queries").EnumerateArray());
        Assert.Equal("Account", query.GetProperty("name").GetString());
        Assert.Equal("zoqlexport", query.GetProperty("type").GetString());
        Assert.Equal("select Id from Account", query.GetProperty("query").GetString());
    }

    [Fact]
    public void DataQueryJob_Body_ReadsDeletedGzipCsv()
    {
        using var body = JsonDocument.Parse(ZuoraQueries.DataQueryJob("select id from account"));
        var root = body.RootElement;

        Assert.True(root.GetProperty("readDeleted").GetBoolean());
        Assert.Equal("CSV", root.GetProperty("outputFormat").GetString());
        Assert.Equal("GZIP", root.GetProperty("compression").GetString());
        Assert.Equal("S3", root.GetProperty("output").GetProperty("target").GetString());
    }
}
