using System.Text.Json;

namespace ServerlessSync.Cli.Tests;

/// <summary>
/// <c>--full-resync</c> end to end on the files source: changes an incremental read cannot see (a value changed without a
/// new updateddate, a record removed without a delete flag) reach the warehouse once the object's full re-sync is due.
/// </summary>
public class FullResyncTests
{
    private static readonly string[] Before =
    [
        """{"id":"a1","updateddate":"2026-11-20T10:00:00Z","name":"Acme","balance":10}""",
        """{"id":"a2","updateddate":"2026-11-20T11:00:00Z","name":"Bolt","balance":20}""",
        """{"id":"a3","updateddate":"2026-11-20T12:00:00Z","name":"Coil","balance":30}""",
    ];

    // a1's name changed but not its updateddate; a3 is gone without a deleted flag.
    private static readonly string[] After =
    [
        """{"id":"a1","updateddate":"2026-11-20T10:00:00Z","name":"Acme Corp","balance":10}""",
        """{"id":"a2","updateddate":"2026-11-20T11:00:00Z","name":"Bolt","balance":20}""",
    ];

    [Fact]
    public async Task Sync_FullResyncDue_WarehouseMatchesSourceAgain_RunShowsFullResync_ConnectorStaysActive()
    {
        using var cli = new CliHarness();
        var source = await ExportAsync(cli, Before);
        Assert.Equal(0, (await cli.RunAsync("sync", "--source", source, "--full-resync", "account=1")).ExitCode);
        await File.WriteAllLinesAsync(Path.Combine(source["files:".Length..], "account.jsonl"), After);

        // Not due yet (the first sync was the full read an hour ago): the incremental read misses both changes.
        cli.Clock.Advance(TimeSpan.FromHours(1));
        var notDue = await cli.RunAsync("sync", "--source", source, "--full-resync", "account=1");
        Assert.True(notDue.ExitCode == 0, notDue.ToString());
        Assert.Equal(1, (await cli.RunAsync("verify", "--source", source)).ExitCode);

        cli.Clock.Advance(TimeSpan.FromDays(1));
        var due = await cli.RunAsync("sync", "--source", source, "--full-resync", "account=1");

        Assert.True(due.ExitCode == 0, due.ToString());
        Assert.Contains("full re-sync", due.Output, StringComparison.Ordinal);
        var verify = await cli.RunAsync("verify", "--source", source);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Equal(1, cli.Scalar("SELECT count(*) FROM zuora.account WHERE id = 'a1' AND name = 'Acme Corp' AND NOT _deleted"));
        Assert.Equal(1, cli.Scalar("SELECT count(*) FROM zuora.account WHERE id = 'a3' AND name = 'Coil' AND _deleted"));
        var status = await SyncEndToEndTests.StatusAsync(cli);
        Assert.Equal("ACTIVE", status.GetProperty("connector").GetProperty("status").GetString());
        var run = status.GetProperty("runs")[0];
        Assert.Equal("HISTORICAL", run.GetProperty("run").GetProperty("mode").GetString());
        var account = run.GetProperty("objects")[0];
        Assert.Equal(("Historical", true, JsonValueKind.Null), (account.GetProperty("mode").GetString(), account.GetProperty("fullResync").GetBoolean(), account.GetProperty("windowStart").ValueKind));
        Assert.Equal((0L, 1L, 1L), (account.GetProperty("rowsInserted").GetInt64(), account.GetProperty("rowsUpdated").GetInt64(), account.GetProperty("rowsDeleted").GetInt64()));
        Assert.Equal(account.GetProperty("windowEnd").GetDateTimeOffset(), status.GetProperty("connector").GetProperty("objects")[0].GetProperty("lastFullSyncAt").GetDateTimeOffset());
        var text = await cli.RunAsync("status");
        Assert.Contains("full resync", text.Output, StringComparison.Ordinal);

        // The next run is incremental again.
        cli.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, (await cli.RunAsync("sync", "--source", source, "--full-resync", "account=1")).ExitCode);
        Assert.False((await SyncEndToEndTests.StatusAsync(cli)).GetProperty("runs")[0].GetProperty("objects")[0].GetProperty("fullResync").GetBoolean());
    }

    [Theory]
    [InlineData("account=x", "'account=x'")]
    [InlineData("account", "'account' is not OBJECT=DAYS")]
    [InlineData("account=0", "'account=0'")]
    [InlineData("acount=7", "'acount'")]
    public async Task Sync_BadFullResync_UsageErrorNamingThePart(string value, string named)
    {
        using var cli = new CliHarness();
        var source = await ExportAsync(cli, Before);

        var result = await cli.RunAsync("sync", "--source", source, "--full-resync", value);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(named, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(cli.WarehousePath));
    }

    private static async Task<string> ExportAsync(CliHarness cli, string[] lines)
    {
        var dir = Path.Combine(cli.Home, "export");
        Directory.CreateDirectory(dir);
        await File.WriteAllLinesAsync(Path.Combine(dir, "account.jsonl"), lines);
        return $"files:{dir}";
    }
}
