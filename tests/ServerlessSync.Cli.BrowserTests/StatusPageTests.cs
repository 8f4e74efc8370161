using Amazon.Runtime;
using DuckDB.NET.Data;
using ServerlessSync.Core.Model;
using ServerlessSync.Embedded.Sqlite;
using static Microsoft.Playwright.Assertions;

namespace ServerlessSync.Cli.BrowserTests;

/// <summary>
/// The Status tab page of <c>serve</c> in a real browser (headless chromium through Playwright): what a connector's
/// customer sees while the first sync runs and after it, after a failed run, when they press "Sync now", and for a
/// deployed stack through the signing proxy.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class StatusPageTests(BrowserFixture browser)
{
    private static readonly TimeSpan SyncTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The notice after a 202 to Sync now.</summary>
    private static readonly System.Text.RegularExpressions.Regex RunStartedNotice = new("^Run [0-9A-Za-z-]+ started\\.$");

    [Fact]
    public async Task Page_FirstHistoricalSyncBySyncNow_InProgressWithLiveProgressAnd409_ThenActiveWithObjectsAndRuns()
    {
        await using var serve = new ServeHarness();
        var gate = new Gate();
        await serve.StartAsync(["--scale", "400", "--objects", "account,invoice"], source => new GatedSource(source, gate));
        var page = await browser.NewPageAsync();
        await page.GotoAsync(serve.Url.ToString());
        await Expect(page.Locator("#state")).ToHaveTextAsync("Not synced yet");

        await page.Locator("#sync-now").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await gate.Reached.WaitAsync(SyncTimeout);

        await Expect(page.Locator("#notice")).ToHaveTextAsync(RunStartedNotice);
        await Expect(page.Locator("#state")).ToHaveTextAsync("In Progress");
        await Expect(page.Locator("#progress-object")).ToHaveTextAsync("Object 1 of 2: account (extracting)");
        await Expect(page.Locator("#good-as-of")).ToHaveTextAsync("No complete data yet");
        await BrowserFixture.ScreenshotAsync(page, "in-progress");

        // A second start while the run holds the home's lock: the API's 409 message, on the page.
        await page.Locator("#sync-now").ClickAsync();
        await Expect(page.Locator("#notice")).ToContainTextAsync("is running run");
        await Expect(page.Locator("#notice")).ToHaveClassAsync("error");

        gate.Open();
        await Expect(page.Locator("#state")).ToHaveTextAsync("Active", new() { Timeout = (float)SyncTimeout.TotalMilliseconds });
        await Expect(page.Locator("#good-as-of")).ToContainTextAsync("Data good as of ");
        await Expect(page.Locator("#progress")).ToBeHiddenAsync();

        // Each object's live rows on the page are the rows in the warehouse.
        var warehouseAccounts = Count(serve, "account");
        Assert.True(warehouseAccounts > 0);
        var accountRow = page.Locator("#objects tr[data-object='account'] td");
        await Expect(accountRow.Nth(2)).ToHaveTextAsync(warehouseAccounts.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        await Expect(accountRow.Nth(5)).ToHaveTextAsync("+" + warehouseAccounts.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.Locator("#objects tr[data-object='invoice']")).ToHaveCountAsync(1);

        // The run history: one SUCCEEDED run whose details list each object's rows, files, bytes and timings.
        await Expect(page.Locator("#runs > li")).ToHaveCountAsync(1);
        await Expect(page.Locator("#runs .run-status").First).ToHaveTextAsync("SUCCEEDED");
        await page.Locator("#runs summary").First.ClickAsync();
        var detail = page.Locator("#runs .detail tbody tr");
        await Expect(detail).ToHaveCountAsync(2);
        await Expect(detail.First.Locator("td").Nth(3)).ToHaveTextAsync(warehouseAccounts.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.Locator("#checks")).ToBeHiddenAsync();
        await BrowserFixture.ScreenshotAsync(page, "active");

        // Readable at phone width: nothing wider than the screen but the tables, which scroll in their own box.
        var phone = await browser.NewPageAsync(width: 390);
        await phone.GotoAsync(serve.Url.ToString());
        await Expect(phone.Locator("#state")).ToHaveTextAsync("Active");
        Assert.True(await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"));
        await BrowserFixture.ScreenshotAsync(phone, "active-phone");
    }

    [Fact]
    public async Task Page_FailedRun_ShowsWhatWentWrongAndHowToFixIt()
    {
        await using var serve = new ServeHarness();
        Assert.Equal(0, (await serve.CliAsync("sync", "--scale", "300", "--objects", "account")).Code);
        using (var connection = new DuckDBConnection($"Data Source={Path.Combine(serve.Home, "warehouse.duckdb")}"))
        {
            connection.Open();
            using var alter = connection.CreateCommand();
            alter.CommandText = "ALTER TABLE zuora.account ALTER COLUMN balance TYPE VARCHAR";
            alter.ExecuteNonQuery();
        }

        Assert.Equal(0, (await serve.CliAsync("tenant", "advance")).Code);
        await serve.StartAsync([]);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(serve.Url.ToString());
        await Expect(page.Locator("#state")).ToHaveTextAsync("Active");

        await page.Locator("#sync-now").ClickAsync();

        await Expect(page.Locator("#state")).ToHaveTextAsync("Failed", new() { Timeout = (float)SyncTimeout.TotalMilliseconds });
        await Expect(page.Locator("#failure")).ToBeVisibleAsync();
        await Expect(page.Locator("#failure-cause")).ToContainTextAsync("table zuora.account: column 'balance' changed type");
        await Expect(page.Locator("#failure-fix")).ToContainTextAsync("Alter or drop the column in the destination");
        await Expect(page.Locator("#runs .run-status").First).ToHaveTextAsync("FAILED");
        // The run's end replaces the "started" notice: what the page shows now says how it went.
        await Expect(page.Locator("#notice")).ToBeEmptyAsync();
        await BrowserFixture.ScreenshotAsync(page, "failed");
    }

    [Fact]
    public async Task Page_DeployedStack_CallsTheApiSignedWithSigV4_AndSyncNowStartsThere()
    {
        // The deployed API's status: a real connector's, written by a sync of a home of its own.
        await using var source = new ServeHarness();
        Assert.Equal(0, (await source.CliAsync("sync", "--scale", "300", "--objects", "account")).Code);
        await using var store = new SqliteStatusStore(Path.Combine(source.Home, "status.db"));
        var credentials = new BasicAWSCredentials("AKIDSERVETEST", "serve-test-secret");
        var standIn = await SignedApiStandIn.StartAsync(store, await credentials.GetCredentialsAsync(), "eu-west-1");
        await using var endpoint = standIn.Endpoint;
        // The destination checks' latest result, in the form the status table's CHECKS item holds it.
        standIn.ChecksLatest = """
            {"connectorId":"default","ranAt":"2026-12-07T01:00:00+00:00","trigger":"api","runId":null,"report":{"destination":"redshift","checks":[
              {"number":1,"name":"credentials","outcome":"PASS","message":"the loader's role signs requests"},
              {"number":4,"name":"database privileges","outcome":"FAIL","message":"user serverless_sync cannot create schema zuora","fix":"GRANT CREATE ON DATABASE dev TO serverless_sync;"}]}}
            """;
        await using var serve = new ServeHarness();
        await serve.StartAsync(["--api", standIn.Endpoint.Url.ToString(), "--region", "eu-west-1"], credentials: credentials);

        var page = await browser.NewPageAsync();
        await page.GotoAsync(serve.Url.ToString());

        await Expect(page.Locator("#state")).ToHaveTextAsync("Active");
        await Expect(page.Locator(".mode")).ToHaveTextAsync($"Deployed stack: {standIn.Endpoint.Url}");
        await Expect(page.Locator("#objects tr[data-object='account']")).ToHaveCountAsync(1);
        await Expect(page.Locator("#runs > li")).ToHaveCountAsync(1);
        await Expect(page.Locator("#checks")).ToBeVisibleAsync();
        await Expect(page.Locator("#checks-summary")).ToHaveTextAsync("1 of 2 checks failed (2026-12-07 01:00:00 UTC)");
        await Expect(page.Locator("#checks-list li.check-bad")).ToContainTextAsync("FAIL — 4. database privileges: user serverless_sync cannot create schema zuora");
        await Expect(page.Locator("#checks-list li.check-bad pre")).ToHaveTextAsync("GRANT CREATE ON DATABASE dev TO serverless_sync;");
        await BrowserFixture.ScreenshotAsync(page, "deployed");
        await page.Locator("#run-checks").ClickAsync();
        await Expect(page.Locator("#notice")).ToHaveTextAsync("Checks started.");
        Assert.Equal(1, standIn.ChecksStarted);

        await page.Locator("#sync-now").ClickAsync();
        await Expect(page.Locator("#notice")).ToHaveTextAsync(RunStartedNotice);
        var start = Assert.Single(standIn.Starts);
        Assert.Equal(("default", (IReadOnlyList<string>?)null), (start.ConnectorId, start.Objects));
        Assert.Equal(0, standIn.Rejected);
        Assert.True(standIn.Verified >= 4, $"{standIn.Verified} requests verified");
    }

    [Fact]
    public async Task Page_RunningRunWithRecordedProgress_ShowsObjectKOfNRowsRateAndTimeLeft()
    {
        await using var serve = new ServeHarness();
        var started = DateTimeOffset.UtcNow.AddMinutes(-1);
        await using (var store = new SqliteStatusStore(Path.Combine(serve.Home, "status.db")))
        {
            // As a sync in another shell leaves the status file while its second object extracts.
            await store.PutConnectorAsync(new() { ConnectorId = "default", Source = "synthetic", Status = ConnectorStatus.InProgress, SelectedObjects = ["account", "invoice", "payment"], CreatedAt = started, UpdatedAt = started, LastRunId = "run-live" }, CancellationToken.None);
            await store.PutRunAsync(new() { RunId = "run-live", ConnectorId = "default", Mode = RunMode.Historical, Status = RunStatus.Running, StartedAt = started }, CancellationToken.None);
            await store.PutRunProgressAsync("default", "run-live", new() { ObjectIndex = 2, ObjectCount = 3, ObjectName = "invoice", Phase = "extracting", Rows = 12_000, Bytes = 3 * 1024 * 1024, RunStartedAt = started, ObjectStartedAt = started.AddSeconds(20), UpdatedAt = started.AddSeconds(24) }, CancellationToken.None);
        }

        await serve.StartAsync([]);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(serve.Url.ToString());

        await Expect(page.Locator("#state")).ToHaveTextAsync("In Progress");
        await Expect(page.Locator("#progress-object")).ToHaveTextAsync("Object 2 of 3: invoice (extracting)");
        await Expect(page.Locator("#progress-rows")).ToHaveTextAsync("12,000 (3.0 MiB)");
        await Expect(page.Locator("#progress-rate")).ToHaveTextAsync("3,000 rows/s");
        // One object took 20 s: two more take 40 s, less the 4 s this one has run.
        await Expect(page.Locator("#progress-eta")).ToHaveTextAsync("about 36 s");
        await BrowserFixture.ScreenshotAsync(page, "progress");
    }

    private static long Count(ServeHarness serve, string table)
    {
        using var connection = new DuckDBConnection($"Data Source={Path.Combine(serve.Home, "warehouse.duckdb")};ACCESS_MODE=READ_ONLY");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM zuora.\"{table}\"";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

}
