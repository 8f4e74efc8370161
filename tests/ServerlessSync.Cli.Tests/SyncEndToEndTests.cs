using System.Text.Json;

namespace ServerlessSync.Cli.Tests;

/// <summary>The user's path: sync → verify → tenant advance → sync (incremental) → verify, through the real CLI.</summary>
public class SyncEndToEndTests
{
    private const string Scale = "3000";

    [Fact]
    public async Task Sync_ThenAdvanceAndSyncAgain_WarehouseEqualsSourceAndOnlyChangedRowsAreTouched()
    {
        using var cli = new CliHarness();

        var first = await cli.RunAsync("sync", "--scale", Scale);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("SUCCEEDED", first.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", first.Output, StringComparison.Ordinal);
        Assert.Empty(cli.StagedFiles());
        // Objects overlap (one loads while the next extracts), and each keeps its own k/n on both of its lines.
        var positions = first.Output.Split('\n')
            .Select(line => System.Text.RegularExpressions.Regex.Match(line, @"^  (\d+)/13 (\w+): (extracting|loading)"))
            .Where(m => m.Success)
            .GroupBy(m => m.Groups[2].Value, m => m.Groups[1].Value)
            .ToList();
        Assert.Equal(13, positions.Count);
        Assert.All(positions, lines => Assert.Single(lines.Distinct()));
        Assert.Equal(Enumerable.Range(1, 13).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), positions.Select(p => p.First()));

        var status = await StatusAsync(cli);
        Assert.Equal("ACTIVE", status.GetProperty("connector").GetProperty("status").GetString());
        var objects = status.GetProperty("connector").GetProperty("objects").EnumerateArray().ToList();
        Assert.Equal(13, objects.Count);
        Assert.All(objects, o => Assert.Equal(JsonValueKind.String, o.GetProperty("cursor").ValueKind));
        var firstRun = status.GetProperty("runs")[0];
        Assert.Equal("HISTORICAL", firstRun.GetProperty("run").GetProperty("mode").GetString());
        var totalRows = firstRun.GetProperty("objects").EnumerateArray().Sum(o => o.GetProperty("rowsInserted").GetInt64());
        Assert.InRange(totalRows, 2000, 4000);
        Assert.Equal(cli.Scalar("SELECT count(*) FROM zuora.account"), firstRun.GetProperty("objects").EnumerateArray().Single(o => o.GetProperty("objectName").GetString() == "account").GetProperty("rowsInserted").GetInt64());

        var verified = await cli.RunAsync("verify");
        Assert.True(verified.ExitCode == 0, verified.ToString());

        var advanced = await cli.RunAsync("tenant", "advance", "--days", "3");
        Assert.True(advanced.ExitCode == 0, advanced.ToString());

        var stale = await cli.RunAsync("verify");
        Assert.Equal(1, stale.ExitCode);
        Assert.Contains("verify failed", stale.Error, StringComparison.Ordinal);

        var second = await cli.RunAsync("sync");
        Assert.True(second.ExitCode == 0, second.ToString());
        status = await StatusAsync(cli);
        var run = status.GetProperty("runs")[0];
        Assert.Equal("INCREMENTAL", run.GetProperty("run").GetProperty("mode").GetString());
        var runObjects = run.GetProperty("objects").EnumerateArray().ToList();
        var extracted = runObjects.Sum(o => o.GetProperty("rowsExtracted").GetInt64());
        var changed = runObjects.Sum(o => o.GetProperty("rowsInserted").GetInt64() + o.GetProperty("rowsUpdated").GetInt64() + o.GetProperty("rowsDeleted").GetInt64());
        Assert.True(changed > 0, "an advanced tenant has changes to sync");
        Assert.True(extracted < totalRows / 5, $"incremental extracted {extracted} of {totalRows} rows");
        Assert.True(runObjects.Sum(o => o.GetProperty("rowsDeleted").GetInt64()) > 0, "deletes reach the warehouse");

        // Only the changed rows were written by the second load: exactly those carry its _synced_at.
        var account = runObjects.Single(o => o.GetProperty("objectName").GetString() == "account");
        var accountChanged = account.GetProperty("rowsInserted").GetInt64() + account.GetProperty("rowsUpdated").GetInt64() + account.GetProperty("rowsDeleted").GetInt64();
        Assert.True(accountChanged > 0, "accounts changed after three days");
        Assert.Equal(accountChanged, cli.Scalar("SELECT count(*) FROM zuora.account WHERE _synced_at = (SELECT max(_synced_at) FROM zuora.account)"));
        Assert.True(accountChanged < cli.Scalar("SELECT count(*) FROM zuora.account") / 2);
        Assert.True(cli.Scalar("SELECT count(*) FROM zuora.contact WHERE _deleted") > 0, "deleted contacts are kept, flagged");

        var after = await cli.RunAsync("verify");
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Empty(cli.StagedFiles());
    }

    [Theory]
    [InlineData(null, ".csv.zst")]
    [InlineData("gzip", ".csv.gz")]
    public async Task Sync_StagingCodec_PartsCompressedSoAndEveryRowLoads(string? codec, string extension)
    {
        using var cli = new CliHarness();
        string[] args = ["sync", "--scale", "1000", "--objects", "account,invoice", "--keep-staged"];
        var run = await cli.RunAsync(codec is null ? args : [.. args, "--staging-codec", codec]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var parts = cli.StagedFiles().Where(f => Path.GetFileName(f).StartsWith("part-", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(parts);
        Assert.All(parts, f => Assert.EndsWith(extension, f, StringComparison.Ordinal));
        var loaded = (await StatusAsync(cli)).GetProperty("runs")[0].GetProperty("objects").EnumerateArray().Sum(o => o.GetProperty("rowsInserted").GetInt64());
        Assert.Equal(loaded, cli.Scalar("SELECT count(*) FROM zuora.account") + cli.Scalar("SELECT count(*) FROM zuora.invoice"));
        Assert.True(loaded > 0);
    }

    [Fact]
    public async Task Sync_SecondRunWithoutChanges_ChangesNothing()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("sync", "--scale", "1000", "--objects", "account,invoice")).ExitCode);
        var before = cli.Scalar("SELECT count(*) FROM zuora.account WHERE _synced_at = (SELECT max(_synced_at) FROM zuora.account)");

        cli.Clock.Advance(TimeSpan.FromMinutes(1));
        var again = await cli.RunAsync("sync");

        Assert.True(again.ExitCode == 0, again.ToString());
        var run = (await StatusAsync(cli)).GetProperty("runs")[0];
        Assert.All(run.GetProperty("objects").EnumerateArray(), o =>
        {
            Assert.Equal(0, o.GetProperty("rowsInserted").GetInt64());
            Assert.Equal(0, o.GetProperty("rowsUpdated").GetInt64());
        });
        Assert.Equal(before, cli.Scalar("SELECT count(*) FROM zuora.account WHERE _synced_at = (SELECT max(_synced_at) FROM zuora.account)"));
    }

    [Fact]
    public async Task Sync_NewObjectSelectedLater_ConnectorInProgressUntilItsHistoricalSyncDone()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("sync", "--scale", "1000", "--objects", "account")).ExitCode);
        Assert.Equal("ACTIVE", (await StatusAsync(cli)).GetProperty("connector").GetProperty("status").GetString());

        cli.Clock.Advance(TimeSpan.FromMinutes(1));
        var result = await cli.RunAsync("sync", "--objects", "account,payment");

        Assert.True(result.ExitCode == 0, result.ToString());
        var run = (await StatusAsync(cli)).GetProperty("runs")[0];
        Assert.Equal("MIXED", run.GetProperty("run").GetProperty("mode").GetString());
        var modes = run.GetProperty("objects").EnumerateArray().ToDictionary(o => o.GetProperty("objectName").GetString()!, o => o.GetProperty("mode").GetString());
        Assert.Equal("Incremental", modes["account"]);
        Assert.Equal("Historical", modes["payment"]);
        Assert.Equal(0, (await cli.RunAsync("verify")).ExitCode);
    }

    [Fact]
    public async Task Sync_Interactive_UpdatesLinesInPlace()
    {
        using var cli = new CliHarness();

        var result = await cli.RunAsync(interactive: true, "sync", "--scale", "1000", "--objects", "product");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\r", result.Output, StringComparison.Ordinal);
    }

    internal static async Task<JsonElement> StatusAsync(CliHarness cli)
    {
        var result = await cli.RunAsync("status", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Output).RootElement;
    }
}
