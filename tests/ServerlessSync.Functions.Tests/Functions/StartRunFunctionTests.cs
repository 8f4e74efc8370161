using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;
using ServerlessSync.Functions.Hosting;
using ServerlessSync.Functions.Tests.Support;
using ServerlessSync.Testing;

namespace ServerlessSync.Functions.Tests.Functions;

public sealed class StartRunFunctionTests : IAsyncLifetime
{
    private FunctionsTestHost _host = null!;

    public async Task InitializeAsync() => _host = await FunctionsTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    [UsesEventSample("start-run.json")]
    public async Task StartRunSample_PlansEveryObjectHistorically_CreatesTheTenantAndTheRun()
    {
        var run = await _host.InvokeAsync("StartRun", EventSamples.Load("start-run.json"));

        Assert.Equal("default", (string?)run["connectorId"]);
        Assert.Equal(FunctionsTestHost.SampleRunId, (string?)run["runId"]);
        Assert.Equal(FunctionsTestHost.SampleTime, run["startedAt"]!.GetValue<DateTimeOffset>());
        var objects = run["objects"]!.AsArray();
        Assert.Equal(13, objects.Count);
        Assert.All(objects, o =>
        {
            Assert.Null(o!["windowStart"]);
            Assert.Null(o["expectedCursor"]);
            Assert.Equal(FunctionsTestHost.SampleTime, o["windowEnd"]!.GetValue<DateTimeOffset>());
        });
        Assert.Contains("tenant/synthetic-tenant.json", await _host.KeysAsync("tenant/"));
        var stored = await _host.Status.GetRunAsync("default", FunctionsTestHost.SampleRunId, CancellationToken.None);
        Assert.Equal(RunStatus.Running, stored!.Status);
        Assert.Equal(objects.Select(o => (string)o!["objectName"]!).Order(StringComparer.Ordinal), stored.Objects.Select(o => o.ObjectName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task StartRun_WhileAnotherRunHoldsTheLock_ThrowsRunInProgress_ARetriedStartIsTheSameRun()
    {
        await SampleRun.StartAsync(_host);

        var other = await Assert.ThrowsAsync<RunInProgressException>(() => _host.InvokeAsync("StartRun", """{"input":{},"executionName":"another-execution"}"""));
        var retried = await _host.InvokeAsync("StartRun", EventSamples.Load("start-run.json"));

        Assert.Equal(nameof(RunInProgressException), other.GetType().Name);
        Assert.Contains(FunctionsTestHost.SampleRunId, other.Message, StringComparison.Ordinal);
        Assert.Null(await _host.Status.GetRunAsync("default", "another-execution", CancellationToken.None));
        Assert.Equal(FunctionsTestHost.SampleRunId, (string?)retried["runId"]);
    }

    [Fact]
    public async Task StartRun_InputRunIdAndObjects_WinOverTheExecutionName_InTheSourcesOrder()
    {
        var run = await _host.InvokeAsync("StartRun", """{"input":{"runId":"manual-1","objects":["invoice","account"],"trigger":"api"},"executionName":"ignored"}""");

        Assert.Equal("manual-1", (string?)run["runId"]);
        Assert.Equal(["account", "invoice"], run["objects"]!.AsArray().Select(o => (string)o!["objectName"]!));
    }

    [Fact]
    public async Task StartRun_TakingOverADeadRunTheApiNamed_TakesItsLockBeforeTheLeaseEnds_AndClosesIt()
    {
        await SampleRun.StartAsync(_host, "account");
        _host.FakeClock!.Advance(TimeSpan.FromHours(1));

        var otherRun = Assert.IsType<RunInProgressException>(await Record.ExceptionAsync(() =>
            _host.InvokeAsync("StartRun", """{"input":{"objects":["account"],"takeOverFrom":"some-other-run"},"executionName":"second-run"}""")));
        var run = await _host.InvokeAsync("StartRun", $$"""{"input":{"objects":["account"],"takeOverFrom":"{{FunctionsTestHost.SampleRunId}}"},"executionName":"third-run"}""");

        Assert.Contains(FunctionsTestHost.SampleRunId, otherRun.Message, StringComparison.Ordinal);
        Assert.Equal("third-run", (string?)run["runId"]);
        var dead = await _host.Status.GetRunAsync("default", FunctionsTestHost.SampleRunId, CancellationToken.None);
        Assert.Equal(RunStatus.Failed, dead!.Status);
        Assert.Contains("abandoned", dead.Error, StringComparison.Ordinal);
        var connector = await _host.Status.GetConnectorAsync("default", CancellationToken.None);
        Assert.Equal("third-run", connector!.LastRunId);
        Assert.Equal(RunStatus.Running, (await _host.Status.GetRunAsync("default", "third-run", CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task StartRun_TheTenantStaysTheOneFirstCreated_ForEveryLaterRunAndContainer()
    {
        await SampleRun.StartAsync(_host);
        var first = await TenantStateAsync();
        await _host.InvokeAsync("FinishRun", EventSamples.Load("finish-run.json"));
        _host.FakeClock!.Advance(TimeSpan.FromHours(1));

        using var secondContainer = new FunctionHost(_host.Settings with { SyntheticScale = 5 }, _host.Clock, FunctionsTestHost.Credentials, TextWriter.Null);
        await new StartRunFunction(secondContainer).HandleAsync(new MemoryStream("""{"input":{},"executionName":"second-run"}"""u8.ToArray()));

        Assert.Equal(first, await TenantStateAsync());
    }

    [Fact]
    public async Task StartRun_FullResyncSettingDue_PlansTheObjectHistoricallyFromItsCursor_ConnectorStaysActive()
    {
        var now = _host.Clock.GetUtcNow();
        var cursor = now.AddDays(-2);
        await _host.Status.PutConnectorAsync(StatusBuilders.Connector(
            connectorId: "default",
            selectedObjects: ["account", "invoice"],
            createdAt: cursor,
            lastGoodDataAt: cursor), CancellationToken.None);
        foreach (var name in new[] { "account", "invoice" })
        {
            await _host.Status.TryAdvanceCursorAsync("default", name, null, cursor, LoadOutcome.Replayed, cursor, fullSync: true, CancellationToken.None);
        }

        using var container = new FunctionHost(_host.Settings with { FullResyncEvery = FullResyncSchedule.Parse("account=1") }, _host.Clock, FunctionsTestHost.Credentials, TextWriter.Null);
        var output = await new StartRunFunction(container).HandleAsync(new MemoryStream("""{"input":{},"executionName":"resync-run"}"""u8.ToArray()));

        var objects = System.Text.Json.Nodes.JsonNode.Parse(output)!["objects"]!.AsArray().ToDictionary(o => (string)o!["objectName"]!);
        Assert.Null(objects["account"]!["windowStart"]);
        Assert.Equal(cursor, objects["account"]!["expectedCursor"]!.GetValue<DateTimeOffset>());
        Assert.NotNull(objects["invoice"]!["windowStart"]);
        var stored = await _host.Status.GetRunAsync("default", "resync-run", CancellationToken.None);
        Assert.Equal([("account", true), ("invoice", false)], stored!.Objects.Select(o => (o.ObjectName, o.FullResync)));
        Assert.Equal(ConnectorStatus.Active, (await _host.Status.GetConnectorAsync("default", CancellationToken.None))!.Status);
    }

    private async Task<string> TenantStateAsync()
    {
        using var response = await _host.S3.GetObjectAsync(_host.Bucket, "tenant/synthetic-tenant.json");
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync();
    }
}
