using ServerlessSync.Core.Model;
using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Zuora.Tests.Source;

/// <summary>The zuora source through the whole embedded pipeline into DuckDB, against the fake Zuora.</summary>
public class ZuoraSyncEndToEndTests
{
    private static readonly string[] SampleObjects = ["product", "account", "contact", "subscription", "rateplancharge", "invoice", "invoiceitem", "payment"];

    private static FakeZuoraTenant Sample(int accounts = 12) => FakeZuoraTenant.CreateSample(accounts, seed: 11, now: ZuoraPipeline.T0.AddMinutes(-1));

    private static string ApiName(string objectName) => ZuoraCatalog.Find(objectName)!.ApiName;

    [Fact]
    public async Task HistoricalRun_SampleTenant_WarehouseHoldsEveryLiveRecordWithItsValues()
    {
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);

        var run = await pipeline.RunAsync(SampleObjects);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        foreach (var name in SampleObjects)
        {
            Assert.Equal(tenant.Records(ApiName(name)).Count, pipeline.Scalar($"SELECT count(*) FROM zuora.{name} WHERE NOT _deleted"));
        }

        var account = tenant.Records("Account")[3];
        var row = Assert.Single(pipeline.Rows($"SELECT name, balance, autopay, billcycleday, lastinvoicedate, region__c, updateddate FROM zuora.account WHERE id = '{account.Id}'"));
        Assert.Equal(account.Value("Name"), row[0]);
        Assert.Equal(account.Value("Balance"), row[1]);
        Assert.Equal(account.Value("AutoPay"), row[2]);
        Assert.Equal(account.Value("BillCycleDay"), row[3]);
        Assert.Equal(((DateOnly?)account.Value("LastInvoiceDate"))?.ToDateTime(TimeOnly.MinValue), row[4] is DateOnly d ? d.ToDateTime(TimeOnly.MinValue) : row[4]);
        Assert.Equal(account.Value("Region__c"), row[5]);
        Assert.Equal(account.UpdatedDate, new DateTimeOffset(Assert.IsType<DateTime>(row[6]), TimeSpan.Zero));
        Assert.Equal(0, pipeline.Scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'account' AND column_name = 'rolloverbalance'"));
        Assert.All(pipeline.Fake.ZoqlQueries, q => Assert.DoesNotContain(">=", q, StringComparison.Ordinal));
        Assert.Empty(pipeline.Fake.SqlQueries);
    }

    [Fact]
    public async Task HistoricalRun_ParentsListedOnlyAsRelatedObjects_ArriveAsIdColumns()
    {
        // Zuora lists an invoice item's invoice (a charge's subscription) under <related-objects>, not among its fields:
        // the export must select Invoice.Id, or the row arrives without its parent.
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);

        var run = await pipeline.RunAsync("contact", "rateplancharge", "invoiceitem", "invoice");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var item = tenant.Records("InvoiceItem")[2];
        Assert.Equal(
            [item.Value("InvoiceId"), item.Value("SubscriptionId"), item.Value("RatePlanChargeId")],
            Assert.Single(pipeline.Rows($"SELECT invoiceid, subscriptionid, rateplanchargeid FROM zuora.invoiceitem WHERE id = '{item.Id}'")));
        var charge = tenant.Records("RatePlanCharge")[1];
        Assert.Equal([charge.Value("SubscriptionId"), charge.Value("ProductId")], Assert.Single(pipeline.Rows($"SELECT subscriptionid, productid FROM zuora.rateplancharge WHERE id = '{charge.Id}'")));
        var contact = tenant.Records("Contact")[0];
        Assert.Equal(contact.Value("AccountId"), Assert.Single(Assert.Single(pipeline.Rows($"SELECT accountid FROM zuora.contact WHERE id = '{contact.Id}'"))));
        // An invoice has an AccountId field and Account among its related objects: the field is selected, not a second join.
        Assert.Contains(pipeline.Fake.ZoqlQueries, q => q.Contains("from Invoice ", StringComparison.Ordinal) && q.Contains("AccountId", StringComparison.Ordinal) && !q.Contains("Account.Id", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HistoricalRun_FieldDescribeMarksNotSelectable_IsNeitherQueriedNorAColumn()
    {
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);

        var run = await pipeline.RunAsync("account");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.DoesNotContain("SequenceSetId", Assert.Single(pipeline.Fake.ZoqlQueries), StringComparison.Ordinal);
        Assert.Equal(0, pipeline.Scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'account' AND column_name = 'sequencesetid'"));
    }

    [Fact]
    public async Task HistoricalRun_ResultInSegments_ReadsEverySegmentFile()
    {
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant, fakeOptions: o => o with { SegmentRecords = 5 });

        var run = await pipeline.RunAsync("account", "contact");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(tenant.Records("Account").Count, pipeline.Scalar("SELECT count(DISTINCT id) FROM zuora.account WHERE NOT _deleted"));
        Assert.Equal(tenant.Records("Contact").Count, pipeline.Scalar("SELECT count(*) FROM zuora.contact WHERE NOT _deleted"));
        Assert.True(pipeline.Fake.Requests.Count(r => r.Path.StartsWith("/v1/files/", StringComparison.Ordinal)) >= 6);
    }

    [Fact]
    public async Task HistoricalRun_OneSegmentEndsShort_FailsOnTheSummedCountAndLoadsNothing()
    {
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant, fakeOptions: o => o with { SegmentRecords = 5 });
        pipeline.JobConcurrency = 1; // the source's own read, whose message sums the segments
        pipeline.Fake.CutNextFileShort();

        var run = await pipeline.RunAsync("account");

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains($"holds {tenant.Records("Account").Count - 1} records", Assert.Single(run.Objects).Error, StringComparison.Ordinal);
        Assert.Null(await pipeline.CursorAsync("account"));
    }

    [Fact]
    public async Task HistoricalRun_FileOverZuorasSizeLimit_WindowSplitAndExportedAgain()
    {
        // Zuora answers a result file over 2,047 MB with 403 <security:max-object-size>; the fake does so past 5 records.
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant, fakeOptions: o => o with { MaxFileRecords = 5 });

        var run = await pipeline.RunAsync("account");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(tenant.Records("Account").Count, pipeline.Scalar("SELECT count(*) FROM zuora.account WHERE NOT _deleted"));
        Assert.True(pipeline.Fake.JobsSubmitted >= 3);
        Assert.Contains(pipeline.Log, l => l.Contains("2,047 MB", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HistoricalRun_FileOverZuorasSizeLimitInTheSmallestWindow_FailsSayingSo()
    {
        await using var pipeline = await ZuoraPipeline.StartAsync(Sample(), o => o with { MinWindow = TimeSpan.FromDays(100_000) }, fakeOptions: o => o with { MaxFileRecords = 5 });

        var run = await pipeline.RunAsync("account");

        Assert.Equal(RunStatus.Failed, run.Status);
        var error = Assert.Single(run.Objects).Error!;
        Assert.Contains("2,047 MB", error, StringComparison.Ordinal);
        Assert.Contains("minimum window", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public async Task HistoricalRun_DatetimeAtMidnightZuoraTime_ExportedAsDateAndLoadedAsThatMidnight()
    {
        // Zuora's export writes a datetime that is midnight in Zuora system time (Pacific) as the date alone.
        var tenant = Sample();
        var account = tenant.Records("Account")[0];
        var midnight = new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.FromHours(-7));
        tenant.Put("Account", account.Id, account.UpdatedDate, new Dictionary<string, object?> { ["CreatedDate"] = midnight });
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);

        var run = await pipeline.RunAsync("account");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var createdDate = Assert.Single(Assert.Single(pipeline.Rows($"SELECT createddate FROM zuora.account WHERE id = '{account.Id}'")));
        Assert.Equal(midnight, new DateTimeOffset(Assert.IsType<DateTime>(createdDate), TimeSpan.Zero));
    }

    [Fact]
    public async Task IncrementalRun_UpdatesAndDeletes_ReachTheWarehouseWithDeletedRowsFlagged()
    {
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);
        Assert.Equal(RunStatus.Succeeded, (await pipeline.RunAsync("account", "invoiceitem")).Status);
        var accounts = tenant.Records("Account");
        pipeline.Clock.Advance(TimeSpan.FromHours(1));
        var changedAt = pipeline.Clock.GetUtcNow().AddMinutes(-10);
        tenant.Put("Account", accounts[0].Id, changedAt, new Dictionary<string, object?> { ["Name"] = "Renamed, \"Ltd\"" });
        tenant.Delete("Account", accounts[1].Id, changedAt.AddMinutes(1));
        var item = tenant.Records("InvoiceItem")[0];
        tenant.Delete("InvoiceItem", item.Id, changedAt);

        var run = await pipeline.RunAsync("account", "invoiceitem");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.All(run.Objects, o => Assert.Equal(SyncMode.Incremental, o.Mode));
        Assert.Equal("Renamed, \"Ltd\"", Assert.Single(pipeline.Rows($"SELECT name FROM zuora.account WHERE id = '{accounts[0].Id}'"))[0]);
        Assert.Equal(1, pipeline.Scalar($"SELECT count(*) FROM zuora.account WHERE id = '{accounts[1].Id}' AND _deleted"));
        Assert.Equal(accounts.Count - 1, pipeline.Scalar("SELECT count(*) FROM zuora.account WHERE NOT _deleted"));
        Assert.Equal(1, run.Objects.Single(o => o.ObjectName == "account").RowsDeleted);
        // Invoice items report their deletes too (Data Query's readDeleted), as every object of the catalog does.
        Assert.Equal(1, pipeline.Scalar($"SELECT count(*) FROM zuora.invoiceitem WHERE id = '{item.Id}' AND _deleted"));
        Assert.Equal(2, pipeline.Fake.SqlQueries.Count);
        Assert.Contains(pipeline.Fake.SqlQueries, sql => sql.StartsWith("select id, updateddate from account where updateddate >= timestamp '", StringComparison.Ordinal));
        Assert.Contains(pipeline.Fake.SqlQueries, sql => sql.StartsWith("select id, updateddate from invoiceitem where updateddate >= timestamp '", StringComparison.Ordinal));
        Assert.All(pipeline.Fake.Requests.Where(r => r.Path.StartsWith("/dq-results/", StringComparison.Ordinal)), r => Assert.False(r.HadBearerToken));
        Assert.Contains(pipeline.Fake.Requests, r => r.Path.StartsWith("/dq-results/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task IncrementalRun_WindowsSentAsIsoDatetimesWithOffset_NeverSpaceSeparated()
    {
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);
        await pipeline.RunAsync("account");
        pipeline.Clock.Advance(TimeSpan.FromHours(1));

        await pipeline.RunAsync("account");

        var incremental = Assert.Single(pipeline.Fake.ZoqlQueries, q => q.Contains(">=", StringComparison.Ordinal));
        Assert.Matches(@"where UpdatedDate >= '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00' and UpdatedDate < '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00'$", incremental);
        // The fake exports the whole table for a space-separated datetime, as Zuora does: only changed rows came back.
        Assert.Equal(0, (await pipeline.Status.GetRunAsync(ZuoraPipeline.ConnectorId, (await pipeline.Status.ListRunsAsync(ZuoraPipeline.ConnectorId, 1, CancellationToken.None))[0].RunId, CancellationToken.None))!.Objects.Single().RowsExtracted);
    }

    [Fact]
    public async Task IncrementalRun_FieldAddedInZuora_BecomesANewColumn()
    {
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);
        await pipeline.RunAsync("account");
        tenant.AddField("Account", ZuoraFieldDefinition.Export("Segment__c", "picklist", "Segment"));
        var account = tenant.Records("Account")[2];
        pipeline.Clock.Advance(TimeSpan.FromHours(1));
        tenant.Put("Account", account.Id, pipeline.Clock.GetUtcNow().AddMinutes(-5), new Dictionary<string, object?> { ["Segment__c"] = "Enterprise" });

        // A new source instance: as the next sync's process would describe the object afresh.
        pipeline.RenewSource();
        var run = await pipeline.RunAsync("account");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal("Enterprise", Assert.Single(pipeline.Rows($"SELECT segment__c FROM zuora.account WHERE id = '{account.Id}'"))[0]);
        Assert.Equal(tenant.Records("Account").Count - 1, pipeline.Scalar("SELECT count(*) FROM zuora.account WHERE segment__c IS NULL"));
    }

    [Fact]
    public async Task FullResync_Due_CatchesChangesWithoutANewUpdatedDate_DeletesAlreadyCameIncrementally()
    {
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);
        var every = new Dictionary<string, TimeSpan>(StringComparer.Ordinal) { ["rateplancharge"] = TimeSpan.FromDays(7) };
        Assert.Equal(RunStatus.Succeeded, (await pipeline.RunAsync(every, "rateplancharge")).Status);
        var charges = tenant.Records("RatePlanCharge");
        tenant.SetFieldSilently("RatePlanCharge", charges[0].Id, "Quantity", 42.5m);
        tenant.Delete("RatePlanCharge", charges[1].Id, pipeline.Clock.GetUtcNow());

        pipeline.Clock.Advance(TimeSpan.FromDays(1));
        var incremental = await pipeline.RunAsync(every, "rateplancharge");
        var missed = pipeline.Scalar($"SELECT count(*) FROM zuora.rateplancharge WHERE id = '{charges[0].Id}' AND quantity = 42.5");
        pipeline.Clock.Advance(TimeSpan.FromDays(7));
        var resync = await pipeline.RunAsync(every, "rateplancharge");

        Assert.Equal(SyncMode.Incremental, incremental.Objects.Single().Mode);
        Assert.Equal(0, missed);
        Assert.Equal(1, incremental.Objects.Single().RowsDeleted);
        var record = resync.Objects.Single();
        Assert.True(record.FullResync);
        Assert.Equal(RunStatus.Succeeded, record.Status);
        Assert.Equal(1, pipeline.Scalar($"SELECT count(*) FROM zuora.rateplancharge WHERE id = '{charges[0].Id}' AND quantity = 42.5"));
        Assert.Equal(1, pipeline.Scalar($"SELECT count(*) FROM zuora.rateplancharge WHERE id = '{charges[1].Id}' AND _deleted"));
        Assert.Equal(tenant.Records("RatePlanCharge").Count, pipeline.Scalar("SELECT count(*) FROM zuora.rateplancharge WHERE NOT _deleted"));
        Assert.Equal(0, record.RowsDeleted);
    }

    [Fact]
    public async Task FullResync_RecordEditedWhileItRuns_IsLoadedNotMarkedDeleted()
    {
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);
        var every = new Dictionary<string, TimeSpan>(StringComparer.Ordinal) { ["account"] = TimeSpan.FromDays(7) };
        Assert.Equal(RunStatus.Succeeded, (await pipeline.RunAsync(every, "account")).Status);
        pipeline.Clock.Advance(TimeSpan.FromDays(8));

        // Edited a minute after the re-sync's window end (its start): the record's UpdatedDate is past the planned end.
        var edited = tenant.Records("Account")[0];
        tenant.Put("Account", edited.Id, pipeline.Clock.GetUtcNow().AddMinutes(1), new Dictionary<string, object?> { ["Name"] = "Edited during the export" });
        var resync = await pipeline.RunAsync(every, "account");

        Assert.True(resync.Objects.Single().FullResync);
        Assert.Equal(0, resync.Objects.Single().RowsDeleted);
        Assert.Equal(1, pipeline.Scalar($"SELECT count(*) FROM zuora.account WHERE id = '{edited.Id}' AND NOT _deleted AND name = 'Edited during the export'"));
    }

    [Fact]
    public async Task FullResync_FileEndsShortOfItsRecordCount_FailsAndMarksNothingDeleted()
    {
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);
        var every = new Dictionary<string, TimeSpan>(StringComparer.Ordinal) { ["account"] = TimeSpan.FromDays(7) };
        await pipeline.RunAsync(every, "account");
        var cursor = await pipeline.CursorAsync("account");
        pipeline.Clock.Advance(TimeSpan.FromDays(8));
        pipeline.Fake.CutNextFileShort();

        var resync = await pipeline.RunAsync(every, "account");

        var record = resync.Objects.Single();
        Assert.Equal(RunStatus.Failed, record.Status);
        Assert.Contains("download is incomplete", record.Error, StringComparison.Ordinal);
        Assert.Equal(0, pipeline.Scalar("SELECT count(*) FROM zuora.account WHERE _deleted"));
        Assert.Equal(cursor, await pipeline.CursorAsync("account"));
    }

    [Fact]
    public async Task Run_TokenLifeShorterThanTheRun_RefreshesBeforeExpiryWithoutAuthenticationErrors()
    {
        // Each object's job takes two polls (5 s, then 7.5 s): three objects outlast a 20-second token.
        await using var pipeline = await ZuoraPipeline.StartAsync(Sample(), o => o with { PollInterval = TimeSpan.FromSeconds(5) });
        // One object at a time: on the immediate clock concurrent waits add up, and would age a token mid-request.
        pipeline.JobConcurrency = 1;
        pipeline.Fake.SetTokenLifetime(TimeSpan.FromSeconds(20));

        var run = await pipeline.RunAsync("product", "account", "contact");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.True(pipeline.Fake.TokensIssued >= 2, $"tokens issued: {pipeline.Fake.TokensIssued}");
        Assert.DoesNotContain(pipeline.Log, l => l.Contains("HTTP 401", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_TokenExpiredAtZuora_RefreshesOnceOn401AndSucceeds()
    {
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);
        Assert.Equal(RunStatus.Succeeded, (await pipeline.RunAsync("account")).Status);
        pipeline.Fake.ExpireTokens();
        pipeline.Clock.Advance(TimeSpan.FromMinutes(5));
        tenant.Put("Account", tenant.Records("Account")[0].Id, pipeline.Clock.GetUtcNow().AddMinutes(-1), new Dictionary<string, object?> { ["Name"] = "after expiry" });

        var run = await pipeline.RunAsync("account");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(2, pipeline.Fake.TokensIssued);
        Assert.Single(pipeline.Log, l => l.Contains("HTTP 401", StringComparison.Ordinal));
        Assert.Equal(1, pipeline.Scalar("SELECT count(*) FROM zuora.account WHERE name = 'after expiry'"));
    }

    [Fact]
    public async Task Run_RateLimited_WaitsWhatTheHeadersSay()
    {
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);
        pipeline.Fake.ThrottleNext(2, TimeSpan.FromSeconds(7));
        pipeline.Fake.ThrottleNextWithRateLimit(1, limit: 100, reset: TimeSpan.FromSeconds(13));

        var run = await pipeline.RunAsync("account");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var delays = pipeline.Clock.Delays.ToList();
        Assert.Equal(2, delays.Count(d => d == TimeSpan.FromSeconds(7)));
        Assert.Single(delays, d => d == TimeSpan.FromSeconds(13));
        Assert.Equal(tenant.Records("Account").Count, pipeline.Scalar("SELECT count(*) FROM zuora.account"));
    }

    [Fact]
    public async Task Run_ServiceUnavailableTwice_BacksOffAndSucceeds()
    {
        await using var pipeline = await ZuoraPipeline.StartAsync(Sample());
        pipeline.Fake.FailNext(2, 503);

        var run = await pipeline.RunAsync("product");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(2, pipeline.Log.Count(l => l.Contains("HTTP 503", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Run_SubmitAnsweredWith503_RepeatedWithTheSameIdempotencyKey()
    {
        await using var pipeline = await ZuoraPipeline.StartAsync(Sample());
        await pipeline.Source.DescribeAsync("product", CancellationToken.None);
        pipeline.Fake.FailNext(1, 503);

        var run = await pipeline.RunAsync("product");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var submits = pipeline.Fake.Requests.Where(r => r.Method == "POST" && r.Path.StartsWith("/v1/batch-query", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, submits.Count);
        Assert.False(string.IsNullOrEmpty(submits[0].IdempotencyKey));
        Assert.Equal(submits[0].IdempotencyKey, submits[1].IdempotencyKey);
        Assert.Equal(1, pipeline.Fake.JobsSubmitted);
    }

    [Fact]
    public async Task Run_FailedAquaJob_FailsWithZuorasMessageKeepsCursorAndNextRunConverges()
    {
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);
        Assert.Equal(RunStatus.Succeeded, (await pipeline.RunAsync("account")).Status);
        var cursor = await pipeline.CursorAsync("account");
        pipeline.Clock.Advance(TimeSpan.FromHours(1));
        var id = tenant.Records("Account")[2].Id;
        tenant.Put("Account", id, pipeline.Clock.GetUtcNow().AddMinutes(-30), new Dictionary<string, object?> { ["Name"] = "converged" });
        pipeline.Fake.FailNextAquaJob("Query timed out on the database", "Account", AquaJobFailure.Error, "90011");

        var failed = await pipeline.RunAsync("account");

        Assert.Equal(RunStatus.Failed, failed.Status);
        var error = Assert.Single(failed.Objects).Error;
        Assert.Contains("90011", error, StringComparison.Ordinal);
        Assert.Contains("Query timed out on the database", error, StringComparison.Ordinal);
        Assert.Contains("account", error, StringComparison.Ordinal);
        Assert.Equal(cursor, await pipeline.CursorAsync("account"));

        var next = await pipeline.RunAsync("account");

        Assert.Equal(RunStatus.Succeeded, next.Status);
        Assert.True(await pipeline.CursorAsync("account") > cursor);
        Assert.Equal(1, pipeline.Scalar($"SELECT count(*) FROM zuora.account WHERE id = '{id}' AND name = 'converged'"));
    }

    [Fact]
    public async Task Run_ObjectZuoraForbids_FailsWithTheErrorCodeFromA200Body()
    {
        var tenant = Sample();
        tenant.Forbid("Payment");
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);

        var run = await pipeline.RunAsync("product", "payment");

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(RunStatus.Succeeded, run.Objects.Single(o => o.ObjectName == "product").Status);
        var error = run.Objects.Single(o => o.ObjectName == "payment").Error;
        Assert.Contains("90009", error, StringComparison.Ordinal);
        Assert.Contains("payment", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HistoricalRun_JobsTimingOut_AreCancelledAndHalvedUntilTheyComplete()
    {
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant, o => o with { JobTimeout = TimeSpan.FromMinutes(2) });
        pipeline.Fake.NeverCompleteWindowsLongerThan(TimeSpan.FromDays(1500));

        var run = await pipeline.RunAsync("account");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(tenant.Records("Account").Count, pipeline.Scalar("SELECT count(*) FROM zuora.account"));
        Assert.True(pipeline.Fake.JobsCancelled >= 2, $"cancelled: {pipeline.Fake.JobsCancelled}");
        var queries = pipeline.Fake.ZoqlQueries;
        Assert.DoesNotContain(">=", queries[0], StringComparison.Ordinal);
        Assert.DoesNotContain(">=", queries[1], StringComparison.Ordinal);
        Assert.Contains(queries, q => q.Contains(">=", StringComparison.Ordinal));
        Assert.Equal(0, pipeline.Fake.RunningJobs);
    }

    [Fact]
    public async Task IncrementalRun_TimingOutBelowMinWindow_FailsNamingObjectAndWindow()
    {
        var tenant = Sample(3);
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant, o => o with { JobTimeout = TimeSpan.FromMinutes(1), MinWindow = TimeSpan.FromMinutes(10) });
        Assert.Equal(RunStatus.Succeeded, (await pipeline.RunAsync("product")).Status);
        var cursor = await pipeline.CursorAsync("product");
        pipeline.Clock.Advance(TimeSpan.FromHours(1));
        pipeline.Fake.NeverCompleteWindowsLongerThan(TimeSpan.FromMinutes(5));

        var run = await pipeline.RunAsync("product");

        Assert.Equal(RunStatus.Failed, run.Status);
        var error = Assert.Single(run.Objects).Error;
        Assert.Contains("product", error, StringComparison.Ordinal);
        Assert.Contains("minimum window", error, StringComparison.Ordinal);
        Assert.Contains("T", error, StringComparison.Ordinal);
        Assert.Equal(cursor, await pipeline.CursorAsync("product"));
        Assert.Equal(0, pipeline.Fake.RunningJobs);
    }

    [Fact]
    public async Task Run_FileMissingOnce_IsDownloadedOnTheNextAttempt()
    {
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);
        pipeline.Fake.MissNextFileDownload();

        var run = await pipeline.RunAsync("contact");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(tenant.Records("Contact").Count, pipeline.Scalar("SELECT count(*) FROM zuora.contact"));
        var downloads = pipeline.Fake.Requests.Where(r => r.Path.StartsWith("/v1/files/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, downloads.Count);
        Assert.Equal(downloads[0].Path, downloads[1].Path);
    }

    [Fact]
    public async Task Run_HostileValues_RoundTripWithEmptyStringsAsNull()
    {
        var tenant = new FakeZuoraTenant();
        tenant.DefineObject("Account", ZuoraFieldDefinition.Export("Name", "text"), ZuoraFieldDefinition.Export("Balance", "decimal"), ZuoraFieldDefinition.Export("Notes__c", "text"));
        var strings = Testing.HostileValues.Strings;
        for (var i = 0; i < strings.Count; i++)
        {
            tenant.Put("Account", $"h{i:D2}", ZuoraPipeline.T0.AddHours(-i - 1), new Dictionary<string, object?>
            {
                ["Name"] = strings[i],
                ["Notes__c"] = "line1\r\nline2, \"quoted\" ü 😀",
                ["Balance"] = i % 2 == 0 ? -1234567.123456789m : null,
            });
        }

        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);

        var run = await pipeline.RunAsync("account");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var rows = pipeline.Rows("SELECT id, name, notes__c, balance FROM zuora.account ORDER BY id");
        Assert.Equal(strings.Count, rows.Count);
        for (var i = 0; i < strings.Count; i++)
        {
            Assert.Equal(string.IsNullOrEmpty(strings[i]) ? null : strings[i], rows[i][1]);
            Assert.Equal("line1\r\nline2, \"quoted\" ü 😀", rows[i][2]);
            Assert.Equal(i % 2 == 0 ? -1234567.123456789m : null, (decimal?)rows[i][3]);
        }
    }
}
