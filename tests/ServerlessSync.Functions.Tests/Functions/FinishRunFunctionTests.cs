using ServerlessSync.Core.Model;
using ServerlessSync.Functions.Tests.Support;

namespace ServerlessSync.Functions.Tests.Functions;

public sealed class FinishRunFunctionTests : IAsyncLifetime
{
    private FunctionsTestHost _host = null!;

    public async Task InitializeAsync() => _host = await FunctionsTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    [UsesEventSample("finish-run.json")]
    public async Task FinishRunSample_AfterEveryObjectLoaded_SucceedsTheRun_ActivatesTheConnector_ReleasesTheLock()
    {
        await SampleRun.StartAsync(_host, "account");
        await _host.InvokeAsync("RecordObject", EventSamples.Load("record-object-loaded.json"));
        _host.FakeClock!.Advance(TimeSpan.FromMinutes(2));

        var output = await _host.InvokeAsync("FinishRun", EventSamples.Load("finish-run.json"));

        Assert.Equal($$"""{"connectorId":"default","runId":"{{FunctionsTestHost.SampleRunId}}","status":"SUCCEEDED"}""", output.ToJsonString());
        var run = await _host.Status.GetRunAsync("default", FunctionsTestHost.SampleRunId, CancellationToken.None);
        Assert.Equal((RunStatus.Succeeded, FunctionsTestHost.SampleTime.AddMinutes(2)), (run!.Status, run.EndedAt));
        var connector = await _host.Status.GetConnectorAsync("default", CancellationToken.None);
        Assert.Equal((ConnectorStatus.Active, FunctionsTestHost.SampleTime), (connector!.Status, connector.LastGoodDataAt));
        await AssertLockReleasedAsync();
    }

    [Fact]
    [UsesEventSample("finish-run-failed.json")]
    public async Task FailedSample_FailsTheUnfinishedObjectsWithTheReadableError_KeepsTheLoadedOne_ReleasesTheLock()
    {
        await SampleRun.StartAsync(_host, "account", "contact");
        await _host.InvokeAsync("RecordObject", EventSamples.Load("record-object-loaded.json"));

        var output = await _host.InvokeAsync("FinishRun", EventSamples.Load("finish-run-failed.json"));

        const string error = "AmazonDynamoDBException: Throughput exceeds the current capacity of your table or index.";
        Assert.Equal("FAILED", (string?)output["status"]);
        Assert.StartsWith($"contact: {error}", (string?)output["error"], StringComparison.Ordinal);
        var run = await _host.Status.GetRunAsync("default", FunctionsTestHost.SampleRunId, CancellationToken.None);
        Assert.Equal(RunStatus.Failed, run!.Status);
        Assert.Equal(RunStatus.Succeeded, run.Objects.Single(o => o.ObjectName == "account").Status);
        var contact = run.Objects.Single(o => o.ObjectName == "contact");
        Assert.Equal(RunStatus.Failed, contact.Status);
        Assert.StartsWith(error, contact.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("stackTrace", contact.Error, StringComparison.Ordinal);
        var connector = await _host.Status.GetConnectorAsync("default", CancellationToken.None);
        Assert.Equal(ConnectorStatus.Failed, connector!.Status);
        await AssertLockReleasedAsync();
    }

    [Fact]
    public async Task FinishRun_OfARunNeverStarted_FailsNamingIt()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _host.InvokeAsync("FinishRun", EventSamples.Load("finish-run.json")));

        Assert.Equal($"run {FunctionsTestHost.SampleRunId} of connector default is not in the status store", error.Message);
    }

    private async Task AssertLockReleasedAsync()
    {
        var next = await _host.InvokeAsync("StartRun", """{"input":{"objects":["account"]},"executionName":"next-run"}""");
        Assert.Equal("next-run", (string?)next["runId"]);
    }
}
