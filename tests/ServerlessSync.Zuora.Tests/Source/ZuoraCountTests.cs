using System.Text.Json.Nodes;
using ServerlessSync.Core.Model;
using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Zuora.Tests.Source;

/// <summary>The record count that sizes a historical read's slices: one ZOQL query action, asking for one record, against the fake Zuora.</summary>
public class ZuoraCountTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Count_HistoricalWindow_OneQueryActionForOneRecord_SizeIsEveryLiveRecordUpToTheExportsEnd()
    {
        var tenant = FakeZuoraTenant.CreateSample(6, seed: 5, now: ZuoraPipeline.T0.AddMinutes(-1));
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);

        var count = await pipeline.Source.CountAsync("invoice", SyncWindow.Historical(ZuoraPipeline.T0), None);

        Assert.Equal(tenant.Records("Invoice").Count, count);
        Assert.True(count > 1, $"the sample has {count} invoices");
        var request = Assert.Single(pipeline.Fake.Requests, r => r.Path == "/v1/action/query");
        Assert.Equal("POST", request.Method);
        Assert.True(request.HadBearerToken);
        var body = JsonNode.Parse(request.Body)!;
        // A historical read exports up to a day ahead of now; the count asks for the same window, in whole seconds.
        Assert.Equal("select Id from Invoice where UpdatedDate < '2026-11-28T12:00:00+00:00'", (string)body["queryString"]!);
        Assert.Equal(1, (int)body["conf"]!["batchSize"]!);
    }

    [Fact]
    public async Task Count_WindowWithAStart_CountsOnlyTheRecordsUpdatedInIt()
    {
        var tenant = FakeZuoraTenant.CreateSample(6, seed: 5, now: ZuoraPipeline.T0.AddMinutes(-1));
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);
        var dates = tenant.Records("Account").Select(r => r.UpdatedDate).Order().ToList();
        var start = new DateTimeOffset(dates[2].UtcTicks - (dates[2].UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var window = new SyncWindow(start, ZuoraPipeline.T0.AddHours(-1));

        var count = await pipeline.Source.CountAsync("account", window, None);

        Assert.Equal(tenant.Records("Account").Count(r => r.UpdatedDate >= start && r.UpdatedDate < window.End), count);
        Assert.InRange(count, 1, dates.Count - 2);
        Assert.Contains("UpdatedDate >= '", Assert.Single(pipeline.Fake.ActionQueries), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Count_ObjectTheQueryActionDoesNotServe_FailsWithZuorasFaultCodeAndMessageOnOneLine()
    {
        var tenant = FakeZuoraTenant.CreateSample(1, seed: 5, now: ZuoraPipeline.T0.AddMinutes(-1));
        tenant.DefineObject("CreditMemo", ZuoraFieldDefinition.Export("Amount", "decimal"));
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);

        var e = await Assert.ThrowsAsync<ZuoraApiException>(() => pipeline.Source.CountAsync("creditmemo", SyncWindow.Historical(ZuoraPipeline.T0), None));

        Assert.Contains("record count of creditmemo", e.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 400", e.Message, StringComparison.Ordinal);
        // The Actions API's FaultCode and FaultMessage, read as Zuora's code and message (not the raw body).
        Assert.Equal("INVALID_TYPE", e.ErrorCode);
        Assert.EndsWith("errorCode INVALID_TYPE: invalid type for query: CreditMemo", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(0, pipeline.Fake.JobsSubmitted);
    }

    [Fact]
    public async Task Count_SizeOnlyTheRecordsReturnedWithMoreToCome_RefusedAsNotATotal()
    {
        var tenant = FakeZuoraTenant.CreateSample(6, seed: 5, now: ZuoraPipeline.T0.AddMinutes(-1));
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);
        pipeline.Fake.SizeNextQueriesAsTheirBatch();

        var e = await Assert.ThrowsAsync<ZuoraApiException>(() => pipeline.Source.CountAsync("account", SyncWindow.Historical(ZuoraPipeline.T0), None));

        Assert.Contains("size 1 with 1 record(s) returned and done false is not the query's total", e.Message, StringComparison.Ordinal);
        Assert.Equal(tenant.Records("Account").Count, await pipeline.Source.CountAsync("account", SyncWindow.Historical(ZuoraPipeline.T0), None));
    }
}
