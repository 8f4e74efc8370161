namespace ServerlessSync.Cli.Tests;

/// <summary>The files:DIR source through the CLI: historical, incremental with updates, deletes and a new column, errors.</summary>
public class FilesSourceTests
{
    [Fact]
    public async Task Sync_FilesSource_HistoricalThenIncrementalWithNewColumnAndDelete()
    {
        using var cli = new CliHarness();
        var dir = Path.Combine(cli.Home, "export");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "schema.json"), """{"account": {"balance": "decimal(18,2)"}}""");
        await File.WriteAllLinesAsync(Path.Combine(dir, "account.jsonl"),
        [
            """{"id":"a1","createddate":"2026-11-01T10:00:00+01:00","updateddate":"2026-11-01T10:00:00+01:00","name":"Acme, \"Inc\"","balance":10.5,"autopay":true,"billcycleday":1}""",
            """{"id":"a2","createddate":"2026-11-02T10:00:00Z","updateddate":"2026-11-02T10:00:00Z","name":"","balance":0,"autopay":false,"billcycleday":15}""",
            """{"id":"a3","createddate":"2026-11-03T10:00:00Z","updateddate":"2026-11-03T10:00:00Z","name":null,"balance":-1.25,"autopay":null,"billcycleday":null}""",
        ]);
        var source = $"files:{dir}";

        var first = await cli.RunAsync("sync", "--source", source);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(3, cli.Scalar("SELECT count(*) FROM zuora.account"));
        Assert.Equal(1, cli.Scalar("SELECT count(*) FROM zuora.account WHERE name = ''"));
        Assert.Equal(1, cli.Scalar("SELECT count(*) FROM zuora.account WHERE name IS NULL"));
        Assert.Equal(0, (await cli.RunAsync("verify", "--source", source)).ExitCode);

        cli.Clock.Advance(TimeSpan.FromHours(1));
        await File.WriteAllLinesAsync(Path.Combine(dir, "account.jsonl"),
        [
            """{"id":"a1","createddate":"2026-11-01T10:00:00+01:00","updateddate":"2026-11-26T21:30:00Z","name":"Acme, \"Inc\"","balance":99.99,"autopay":true,"billcycleday":1,"region":"EMEA"}""",
            """{"id":"a2","createddate":"2026-11-02T10:00:00Z","updateddate":"2026-11-26T21:31:00Z","name":"","balance":0,"autopay":false,"billcycleday":15,"deleted":true}""",
            """{"id":"a3","createddate":"2026-11-03T10:00:00Z","updateddate":"2026-11-03T10:00:00Z","name":null,"balance":-1.25,"autopay":null,"billcycleday":null}""",
            """{"id":"a4","createddate":"2026-11-26T21:40:00Z","updateddate":"2026-11-26T21:40:00Z","name":"New","balance":5,"autopay":false,"billcycleday":3,"region":"APAC"}""",
        ]);

        var second = await cli.RunAsync("sync", "--source", source);

        Assert.True(second.ExitCode == 0, second.ToString());
        var run = (await SyncEndToEndTests.StatusAsync(cli)).GetProperty("runs")[0].GetProperty("objects")[0];
        Assert.Equal(1, run.GetProperty("rowsInserted").GetInt64());
        Assert.Equal(1, run.GetProperty("rowsUpdated").GetInt64());
        Assert.Equal(1, run.GetProperty("rowsDeleted").GetInt64());
        Assert.Equal(1, cli.Scalar("SELECT count(*) FROM zuora.account WHERE region = 'EMEA'"));
        Assert.Equal(1, cli.Scalar("SELECT count(*) FROM zuora.account WHERE id = 'a3' AND region IS NULL"));
        Assert.Equal(1, cli.Scalar("SELECT count(*) FROM zuora.account WHERE id = 'a2' AND _deleted"));
        Assert.Equal(9999, cli.Scalar("SELECT CAST(balance * 100 AS BIGINT) FROM zuora.account WHERE id = 'a1'"));
        var verify = await cli.RunAsync("verify", "--source", source);
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    [Fact]
    public async Task Sync_MalformedLine_FailsThatObjectNamingFileAndLine_OthersSync()
    {
        using var cli = new CliHarness();
        var dir = Path.Combine(cli.Home, "export");
        Directory.CreateDirectory(dir);
        await File.WriteAllLinesAsync(Path.Combine(dir, "account.jsonl"),
        [
            """{"id":"a1","updateddate":"2026-11-01T10:00:00Z","name":"ok"}""",
        ]);
        await File.WriteAllLinesAsync(Path.Combine(dir, "invoice.jsonl"),
        [
            """{"id":"i1","updateddate":"2026-11-01T10:00:00Z","amount":1.5}""",
            """{"id":"i2","updateddate":"2026-11-01T10:00:00Z","amount":2.5""",
        ]);

        var result = await cli.RunAsync("sync", "--source", $"files:{dir}");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("invoice.jsonl", line, StringComparison.Ordinal);
        Assert.Contains("line 2", line, StringComparison.Ordinal);
        Assert.Equal(1, cli.Scalar("SELECT count(*) FROM zuora.account"));
        var objects = (await SyncEndToEndTests.StatusAsync(cli)).GetProperty("connector").GetProperty("objects").EnumerateArray().ToDictionary(o => o.GetProperty("objectName").GetString()!);
        Assert.False(objects.ContainsKey("invoice") && objects["invoice"].GetProperty("cursor").ValueKind == System.Text.Json.JsonValueKind.String);
    }
}
