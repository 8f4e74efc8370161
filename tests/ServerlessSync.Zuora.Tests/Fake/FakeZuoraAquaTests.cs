using System.Net;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using ServerlessSync.Testing.Zuora;
using static ServerlessSync.Testing.Zuora.ZuoraFieldDefinition;

namespace ServerlessSync.Zuora.Tests.Fake;

public sealed class FakeZuoraAquaTests
{
    private const string Window = "where UpdatedDate >= '2026-11-20T00:00:00.000+00:00' and UpdatedDate < '2026-11-26T00:00:00.000+00:00'";

    [Fact]
    public async Task Submit_PolledToCompletion_FileHoldsWindowRecordsAsCsv()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(SmallTenant());

        var submitted = await calls.SubmitAquaJobAsync($"select Id, Name, Balance, AutoPay, BillCycleDay, LastInvoiceDate, Region__c, UpdatedDate from Account {Window}");
        var jobId = submitted["id"]!.GetValue<string>();
        var executing = await calls.AquaStatusAsync(jobId);
        var completed = await calls.AquaStatusAsync(jobId);
        var batch = completed["batches"]![0]!;
        var csv = await calls.Http.GetStringAsync($"v1/files/{batch["fileId"]!.GetValue<string>()}");

        Assert.Equal("pending", submitted["batches"]![0]!["status"]!.GetValue<string>());
        Assert.Equal("executing", executing["status"]!.GetValue<string>());
        Assert.Equal("completed", completed["status"]!.GetValue<string>());
        Assert.Equal("completed", batch["status"]!.GetValue<string>());
        Assert.Equal(2, batch["recordCount"]!.GetValue<int>());
        Assert.Equal(
            "Account.Id,Account.Name,Account.Balance,Account.AutoPay,Account.BillCycleDay,Account.LastInvoiceDate,Account.Region__c,Account.UpdatedDate\r\n"
            + "a1,Plain,12.50,true,1,2026-11-01,EMEA,2026-11-24T12:00:00+0000\r\n"
            + "a2,\"Comma, \"\"Quote\"\"\nNewline\",-3,false,28,,,2026-11-25T10:30:00+0000\r\n",
            csv);
        Assert.Equal(1, calls.Zuora.JobsSubmitted);
        Assert.Equal(0, calls.Zuora.RunningJobs);
    }

    [Fact]
    public async Task Submit_FiftyStatelessJobsRunning_TheNextIsRefused_UntilOneEnds()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(SmallTenant(), new FakeZuoraOptions { PollsPerStep = 100 });
        var ids = new List<string>();
        for (var i = 0; i < FakeZuora.MaxConcurrentStatelessJobs; i++)
        {
            ids.Add((await calls.SubmitAquaJobAsync("select Id from Account"))["id"]!.GetValue<string>());
        }

        using var refusal = await calls.SubmitAquaAsync(FakeZuoraCalls.AquaRequest("select Id from Account"));
        var refused = JsonNode.Parse(await refusal.Content.ReadAsStringAsync())!;
        (await calls.Http.DeleteAsync($"v1/batch-query/jobs/{ids[0]}")).EnsureSuccessStatusCode();
        var accepted = await calls.SubmitAquaJobAsync("select Id from Account");

        Assert.Equal("error", refused["status"]?.GetValue<string>());
        Assert.Contains("50 stateless AQuA jobs", refused["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(accepted["id"]);
        Assert.Equal(FakeZuora.MaxConcurrentStatelessJobs + 1, calls.Zuora.JobsSubmitted);
    }

    [Fact]
    public async Task Submit_DatetimeAtMidnightZuoraTime_ExportedAsTheDateAlone()
    {
        var tenant = SmallTenant();
        tenant.AddField("Account", Export("CreatedDate", "datetime"));
        tenant.Put("Account", "a1", new DateTimeOffset(2026, 11, 24, 13, 0, 0, TimeSpan.FromHours(1)), new Dictionary<string, object?> { ["CreatedDate"] = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.FromHours(-8)) });
        tenant.Put("Account", "a3", FakeZuoraCalls.Now.AddDays(-10), new Dictionary<string, object?> { ["CreatedDate"] = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero) });
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(tenant);

        var csv = await calls.ExportAsync("select Id, CreatedDate from Account where UpdatedDate < '2026-11-24T12:00:00.001+00:00'");

        Assert.Equal("Account.Id,Account.CreatedDate\r\na1,2026-11-02\r\na3,2026-11-02T00:00:00+0000\r\n", csv);
    }

    [Fact]
    public async Task Submit_PollsPerStepThree_NeedsSixPollsToComplete()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(SmallTenant(), new FakeZuoraOptions { PollsPerStep = 3 });

        var jobId = (await calls.SubmitAquaJobAsync("select Id from Account"))["id"]!.GetValue<string>();
        var statuses = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await calls.AquaStatusAsync(jobId))["status"]!.GetValue<string>());
        }

        Assert.Equal(["submitted", "submitted", "executing", "executing", "executing", "completed"], statuses);
    }

    [Fact]
    public async Task Submit_RecordChangedAfterSubmit_FileHoldsSubmitTimeValues()
    {
        var tenant = SmallTenant();
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(tenant);

        var jobId = (await calls.SubmitAquaJobAsync("select Id, Name from Account where UpdatedDate < '2026-11-22T00:00:00Z'"))["id"]!.GetValue<string>();
        tenant.SetFieldSilently("Account", "a3", "Name", "Changed later");
        var job = await calls.PollAquaAsync(jobId);
        var csv = await calls.Http.GetStringAsync($"v1/files/{job["batches"]![0]!["fileId"]!.GetValue<string>()}");

        Assert.Equal("Account.Id,Account.Name\r\na3,Old\r\n", csv);
        Assert.Equal("Changed later", tenant.Record("Account", "a3").Value("Name"));
        Assert.Equal(FakeZuoraCalls.Now.AddDays(-10), tenant.Record("Account", "a3").UpdatedDate);
    }

    [Fact]
    public async Task Submit_FileOfManyChunks_StreamsTheSameCsvAsWrite()
    {
        var tenant = FakeZuoraTenant.CreateSample(1500, seed: 3, now: FakeZuoraCalls.Now);
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(tenant);
        string[] fields = ["Id", "Name", "AccountNumber", "Balance", "Region__c", "UpdatedDate"];

        var csv = await calls.ExportAsync($"select {string.Join(", ", fields)} from Account");

        var expected = ZuoraCsv.Write([.. fields.Select(f => "Account." + f)], tenant.Records("Account").Select(r => (IReadOnlyList<object?>)[.. fields.Select(r.Value)]));
        Assert.True(expected.Length > 2 * 32 * 1024, $"the export is only {expected.Length} characters: too short to cross a chunk");
        Assert.Equal(expected, csv);
    }

    [Fact]
    public async Task Submit_SegmentRecordsTwo_CompletedBatchListsSegmentsEachWithItsHeader()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(SmallTenant(), new FakeZuoraOptions { SegmentRecords = 2 });

        var submitted = await calls.SubmitAquaJobAsync("select Id from Account");
        var batch = (await calls.PollAquaAsync(submitted["id"]!.GetValue<string>()))["batches"]![0]!.AsObject();
        var files = await Task.WhenAll(batch["segments"]!.AsArray().Select(s => calls.Http.GetStringAsync($"v1/files/{s!.GetValue<string>()}")));

        Assert.False(batch.ContainsKey("fileId"));
        Assert.Equal(3, batch["recordCount"]!.GetValue<int>());
        Assert.Equal(["Account.Id\r\na1\r\na2\r\n", "Account.Id\r\na3\r\n"], files);
    }

    [Fact]
    public async Task File_OverMaxFileRecords_Answers403MaxObjectSize()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(SmallTenant(), new FakeZuoraOptions { MaxFileRecords = 2 });

        var submitted = await calls.SubmitAquaJobAsync("select Id from Account");
        var fileId = (await calls.PollAquaAsync(submitted["id"]!.GetValue<string>()))["batches"]![0]!["fileId"]!.GetValue<string>();
        using var download = await calls.Http.GetAsync($"v1/files/{fileId}");

        Assert.Equal(HttpStatusCode.Forbidden, download.StatusCode);
        Assert.Equal("<security:max-object-size>2047MB</security:max-object-size>", await download.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Submit_JobNameOver32Characters_IsRefused()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(SmallTenant());
        var request = JsonNode.Parse(FakeZuoraCalls.AquaRequest("select Id from Account"))!.AsObject();
        request["name"] = "serverless-sync productrateplancharge";

        using var response = await calls.SubmitAquaAsync(request.ToJsonString());

        Assert.Equal("error", (await FakeZuoraCalls.BodyAsync(response)).GetProperty("status").GetString());
        Assert.Equal(0, calls.Zuora.JobsSubmitted);
    }

    [Fact]
    public async Task Submit_PrefixedHeadersOff_HeaderNamesFieldsAsQueried()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(SmallTenant(), new FakeZuoraOptions { PrefixedHeaders = false });

        var csv = await calls.ExportAsync("select Id, Name from Account where UpdatedDate < '2026-11-24T12:00:00.001+00:00'");

        Assert.StartsWith("Id,Name\r\n", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_SpaceSeparatedDatetime_ExportsWholeTable()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(SmallTenant());

        var csv = await calls.ExportAsync("SELECT Id FROM Account WHERE UpdatedDate >= '2026-11-20 00:00:00' AND UpdatedDate < '2026-11-26 00:00:00'");

        Assert.Equal("Account.Id\r\na1\r\na2\r\na3\r\n", csv);
    }

    [Fact]
    public async Task Submit_OnlyUpperBound_ExportsRecordsBefore()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(SmallTenant());

        var csv = await calls.ExportAsync("select Id from Account where UpdatedDate < '2026-11-24T12:00:00.001+00:00'");

        Assert.Equal("Account.Id\r\na1\r\na3\r\n", csv);
    }

    [Theory]
    [InlineData("select Id, Nope from Account", "90005")]
    [InlineData("select Id, RolloverBalance from Account", "90005")]
    [InlineData("select Id from Nothing", "90005")]
    [InlineData("select Id from Account where UpdatedDate >= '2026-11-20T00:00:00'", "90005")]
    [InlineData("select Id from Account where Name = 'x'", "90005")]
    [InlineData("select Id from Payment", "90009")]
    public async Task Submit_RefusedQuery_Answers200WithErrorBody(string query, string errorCode)
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(SmallTenant());

        using var response = await calls.SubmitAquaAsync(FakeZuoraCalls.AquaRequest(query));
        var body = await FakeZuoraCalls.BodyAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("error", body.GetProperty("status").GetString());
        Assert.Equal(errorCode, body.GetProperty("errorCode").GetString());
        Assert.Equal(0, calls.Zuora.JobsSubmitted);
        Assert.Equal(query, calls.Zuora.ZoqlQueries.Single());
    }

    [Theory]
    [InlineData("version", "1.1")]
    [InlineData("format", "json")]
    [InlineData("partner", "salesforce")]
    [InlineData("project", "p1")]
    public async Task Submit_NotStatelessCsvRequest_Answers200WithErrorBody(string member, string value)
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(SmallTenant());
        var request = JsonNode.Parse(FakeZuoraCalls.AquaRequest("select Id from Account"))!.AsObject();
        request[member] = value;

        using var response = await calls.SubmitAquaAsync(request.ToJsonString());
        var body = await FakeZuoraCalls.BodyAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("error", body.GetProperty("status").GetString());
        Assert.Equal("90005", body.GetProperty("errorCode").GetString());
        Assert.Equal(0, calls.Zuora.JobsSubmitted);
    }

    [Fact]
    public async Task Submit_FiftyOneQueries_Answers90004()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(SmallTenant());

        using var response = await calls.SubmitAquaAsync(FakeZuoraCalls.AquaRequest([.. Enumerable.Repeat("select Id from Account", 51)]));

        Assert.Equal("90004", (await FakeZuoraCalls.BodyAsync(response)).GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task Cancel_RunningJob_IsCancelledAndCancelAgainAnswers90003()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(SmallTenant());
        var jobId = (await calls.SubmitAquaJobAsync("select Id from Account"))["id"]!.GetValue<string>();

        using var cancel = await calls.Http.DeleteAsync($"v1/batch-query/jobs/{jobId}");
        var cancelled = await FakeZuoraCalls.JsonAsync(cancel);
        using var again = await calls.Http.DeleteAsync($"v1/batch-query/jobs/{jobId}");
        var status = await calls.AquaStatusAsync(jobId);

        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());
        Assert.Equal("90003", (await FakeZuoraCalls.BodyAsync(again)).GetProperty("errorCode").GetString());
        Assert.Equal("cancelled", status["status"]!.GetValue<string>());
        Assert.Equal(1, calls.Zuora.JobsCancelled);
        Assert.Equal(0, calls.Zuora.RunningJobs);
    }

    [Fact]
    public async Task FailNextAquaJob_ForObject_OnlyThatObjectsJobEndsInError()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(SmallTenant());
        calls.Zuora.FailNextAquaJob("export failed in the fake", "Contact");

        var account = await calls.PollAquaAsync((await calls.SubmitAquaJobAsync("select Id from Account"))["id"]!.GetValue<string>());
        var contact = await calls.PollAquaAsync((await calls.SubmitAquaJobAsync("select Id from Contact"))["id"]!.GetValue<string>());
        var contactAgain = await calls.PollAquaAsync((await calls.SubmitAquaJobAsync("select Id from Contact"))["id"]!.GetValue<string>());

        Assert.Equal("completed", account["status"]!.GetValue<string>());
        Assert.Equal("error", contact["status"]!.GetValue<string>());
        Assert.Equal("export failed in the fake", contact["message"]!.GetValue<string>());
        Assert.Equal("aborted", contact["batches"]![0]!["status"]!.GetValue<string>());
        Assert.Equal("export failed in the fake", contact["batches"]![0]!["message"]!.GetValue<string>());
        Assert.Equal("completed", contactAgain["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task NeverCompleteWindowsLongerThan_LongWindowStaysExecutingShortCompletes()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(SmallTenant());
        calls.Zuora.NeverCompleteWindowsLongerThan(TimeSpan.FromDays(3));

        var longJob = await calls.PollAquaAsync((await calls.SubmitAquaJobAsync($"select Id from Account {Window}"))["id"]!.GetValue<string>());
        var shortJob = await calls.PollAquaAsync((await calls.SubmitAquaJobAsync(
            "select Id from Account where UpdatedDate >= '2026-11-23T00:00:00Z' and UpdatedDate < '2026-11-26T00:00:00Z'"))["id"]!.GetValue<string>());

        Assert.Equal("executing", longJob["status"]!.GetValue<string>());
        Assert.Equal("completed", shortJob["status"]!.GetValue<string>());
        Assert.Equal(2, calls.Zuora.MaxConcurrentJobs);
        Assert.Equal(1, calls.Zuora.RunningJobs);
    }

    [Fact]
    public async Task MissNextFileDownload_Answers404OnceThenTheFile()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(SmallTenant());
        var job = await calls.PollAquaAsync((await calls.SubmitAquaJobAsync("select Id from Account"))["id"]!.GetValue<string>());
        var fileId = job["batches"]![0]!["fileId"]!.GetValue<string>();

        calls.Zuora.MissNextFileDownload(fileId);
        using var missing = await calls.Http.GetAsync($"v1/files/{fileId}");
        using var found = await calls.Http.GetAsync($"v1/files/{fileId}");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal("text/csv", found.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Account.Id\r\na1\r\na2\r\na3\r\n", await found.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Describe_Account_ListsExportAndSoapOnlyFieldsWithContexts()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(FakeZuoraTenant.CreateSample(1, 7, FakeZuoraCalls.Now));

        var xml = XElement.Parse(await calls.Http.GetStringAsync("v1/describe/Account"));
        using var unknown = await calls.Http.GetAsync("v1/describe/Nothing");
        var fields = xml.Element("fields")!.Elements("field").ToDictionary(
            f => f.Element("name")!.Value, f => (Type: f.Element("type")!.Value, Contexts: f.Element("contexts")!.Elements("context").Select(c => c.Value).ToList()));

        Assert.Equal("Account", xml.Element("name")!.Value);
        Assert.Equal("text", fields["Region__c"].Type);
        Assert.Equal(["export", "soap"], fields["Region__c"].Contexts);
        Assert.Equal(["soap"], fields["RolloverBalance"].Contexts);
        Assert.Equal("datetime", fields["UpdatedDate"].Type);
        Assert.Contains("export", fields["Id"].Contexts);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Describe_InvoiceItem_ListsParentsUnderRelatedObjectsAndTheExportJoinsThem()
    {
        var tenant = FakeZuoraTenant.CreateSample(1, 7, FakeZuoraCalls.Now);
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(tenant);

        var xml = XElement.Parse(await calls.Http.GetStringAsync("v1/describe/InvoiceItem"));
        var account = XElement.Parse(await calls.Http.GetStringAsync("v1/describe/Account"));
        var csv = await calls.ExportAsync("select Id, Invoice.Id from InvoiceItem");
        using var plain = await calls.SubmitAquaAsync(FakeZuoraCalls.AquaRequest("select Id, InvoiceId from InvoiceItem"));
        using var unselectable = await calls.SubmitAquaAsync(FakeZuoraCalls.AquaRequest("select Id, SequenceSetId from Account"));

        Assert.DoesNotContain(xml.Element("fields")!.Elements("field"), f => f.Element("name")!.Value == "InvoiceId");
        Assert.Equal(["Invoice", "Subscription", "RatePlanCharge"], xml.Element("related-objects")!.Elements("object").Select(o => o.Element("name")!.Value));
        var item = tenant.Records("InvoiceItem")[0];
        Assert.StartsWith($"InvoiceItem.Id,Invoice.Id\r\n{item.Id},{item.Value("InvoiceId")}\r\n", csv, StringComparison.Ordinal);
        Assert.Equal("90005", (await FakeZuoraCalls.BodyAsync(plain)).GetProperty("errorCode").GetString());
        Assert.Equal("false", account.Element("fields")!.Elements("field").Single(f => f.Element("name")!.Value == "SequenceSetId").Element("selectable")!.Value);
        Assert.Equal("90005", (await FakeZuoraCalls.BodyAsync(unselectable)).GetProperty("errorCode").GetString());
    }

    /// <summary>Account: a1 and a2 inside the test window (a2 with a hostile name and nulls), a3 before it. Payment forbidden.</summary>
    private static FakeZuoraTenant SmallTenant()
    {
        var tenant = new FakeZuoraTenant();
        tenant.DefineObject("Account",
            Export("Name", "text"), Export("Balance", "decimal"), Export("AutoPay", "boolean"), Export("BillCycleDay", "integer"),
            Export("LastInvoiceDate", "date"), Export("Region__c", "text"), SoapOnly("RolloverBalance", "decimal"));
        tenant.DefineObject("Contact", Export("AccountId", "text"));
        tenant.DefineObject("Payment", Export("Amount", "decimal"));
        tenant.Put("Account", "a1", new DateTimeOffset(2026, 11, 24, 13, 0, 0, TimeSpan.FromHours(1)), new Dictionary<string, object?>
        {
            ["Name"] = "Plain", ["Balance"] = 12.50m, ["AutoPay"] = true, ["BillCycleDay"] = 1, ["LastInvoiceDate"] = new DateOnly(2026, 11, 1), ["Region__c"] = "EMEA",
        });
        tenant.Put("Account", "a2", new DateTimeOffset(2026, 11, 25, 10, 30, 0, 250, TimeSpan.Zero), new Dictionary<string, object?>
        {
            ["Name"] = "Comma, \"Quote\"\nNewline", ["Balance"] = -3m, ["AutoPay"] = false, ["BillCycleDay"] = 28L, ["LastInvoiceDate"] = null,
        });
        tenant.Put("Account", "a3", FakeZuoraCalls.Now.AddDays(-10), new Dictionary<string, object?> { ["Name"] = "Old" });
        tenant.Put("Contact", "c1", FakeZuoraCalls.Now.AddDays(-1), new Dictionary<string, object?> { ["AccountId"] = "a1" });
        tenant.Forbid("Payment");
        return tenant;
    }
}
