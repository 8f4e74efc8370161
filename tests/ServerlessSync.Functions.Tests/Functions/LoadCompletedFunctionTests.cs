using System.Text.Json;
using ServerlessSync.Core.Ports;
using ServerlessSync.Functions.Hosting;
using ServerlessSync.Functions.Tests.Support;

namespace ServerlessSync.Functions.Tests.Functions;

public sealed class LoadCompletedFunctionTests : IAsyncLifetime
{
    private static readonly string LoadId = $"default/{FunctionsTestHost.SampleRunId}/account";
    private FunctionsTestHost _host = null!;

    public async Task InitializeAsync() => _host = await FunctionsTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    [UsesEventSample("load-completed-finished.json")]
    public async Task FinishedSample_RecordsTheLoad_AndSendsTheReportToTheTaskToken()
    {
        var extracted = await SampleRun.ExtractAsync(_host);
        var statementId = await SampleRun.SubmitLoadAsync(_host);
        Assert.Equal("FINISHED", await _host.WaitForStatementAsync(statementId));

        var output = await _host.InvokeAsync("LoadCompleted", SampleRun.CompletionEvent("load-completed-finished.json", statementId));

        Assert.Equal(statementId, (string?)output["statementId"]);
        Assert.Equal("Loaded", (string?)output["result"]);
        Assert.Equal(SampleRun.ManifestKey, (string?)output["manifestKey"]);
        Assert.Equal("account", (string?)output["objectName"]);
        var rows = (long)extracted["rows"]!;
        var call = Assert.Single(_host.StepFunctions.Calls);
        Assert.Equal(("SendTaskSuccess", SampleRun.TaskToken, true), (call.Operation, call.TaskToken, call.Accepted));
        using var report = JsonDocument.Parse(call.Output!);
        Assert.Equal(SampleRun.ManifestKey, report.RootElement.GetProperty("manifestKey").GetString());
        Assert.Equal(rows, report.RootElement.GetProperty("inserted").GetInt64());
        Assert.False(report.RootElement.GetProperty("alreadyLoaded").GetBoolean());
        Assert.Equal(rows, await _host.LiveRowCountAsync("account"));
        var claim = await _host.Status.TryClaimAsync("default", LoadId, "someone-else", FunctionsTestHost.SampleTime, TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Equal((LoadClaimResult.AlreadyLoaded, rows), (claim.Result, claim.Outcome!.Inserted));
    }

    [Fact]
    [UsesEventSample("load-completed-failed.json")]
    public async Task FailedSample_SendsTaskFailureNamingFileLineAndColumn_ReleasesTheClaim_KeepsTheFiles()
    {
        await SampleRun.ExtractAsync(_host);
        var (partKey, line) = await _host.BreakFirstPartAsync(SampleRun.ManifestKey);
        var statementId = await SampleRun.SubmitLoadAsync(_host);
        Assert.Equal("FAILED", await _host.WaitForStatementAsync(statementId));
        var stagedBefore = await _host.KeysAsync("runs/");

        var output = await _host.InvokeAsync("LoadCompleted", SampleRun.CompletionEvent("load-completed-failed.json", statementId));

        var where = $"s3://{_host.Bucket}/{partKey} line {line}, column updateddate";
        Assert.Equal("Failed", (string?)output["result"]);
        Assert.Contains(where, (string?)output["error"], StringComparison.Ordinal);
        var call = Assert.Single(_host.StepFunctions.Calls);
        Assert.Equal(("SendTaskFailure", SampleRun.TaskToken, "RedshiftLoadException"), (call.Operation, call.TaskToken, call.Error));
        Assert.Contains(where, call.Cause, StringComparison.Ordinal);
        Assert.Equal(0, await _host.LiveRowCountAsync("account"));
        Assert.Equal(stagedBefore, await _host.KeysAsync("runs/"));
        var retry = await _host.Status.TryClaimAsync("default", LoadId, "retry", FunctionsTestHost.SampleTime, TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Equal(LoadClaimResult.Claimed, retry.Result);
    }

    [Fact]
    public async Task DuplicateCompletionEvent_RecordsTheLoadOnce()
    {
        var extracted = await SampleRun.ExtractAsync(_host);
        var statementId = await SampleRun.SubmitLoadAsync(_host);
        await _host.WaitForStatementAsync(statementId);
        var completion = SampleRun.CompletionEvent("load-completed-finished.json", statementId);

        await _host.InvokeAsync("LoadCompleted", completion);
        var loadItem = await _host.ItemAsync("CONNECTOR#default", $"LOAD#{LoadId}");
        _host.FakeClock!.Advance(TimeSpan.FromMinutes(3));
        var again = await _host.InvokeAsync("LoadCompleted", completion);

        Assert.Equal("Loaded", (string?)again["result"]);
        var after = await _host.ItemAsync("CONNECTOR#default", $"LOAD#{LoadId}");
        Assert.Equal(loadItem!["loadedAt"].S, after!["loadedAt"].S);
        Assert.Equal("LOADED", after["state"].S);
        Assert.Equal((long)extracted["rows"]!, await _host.LiveRowCountAsync("account"));
        Assert.Equal([true, false], _host.StepFunctions.Calls.Select(c => c.Accepted));
    }

    [Theory]
    [InlineData("some other application's statement", "FINISHED")]
    [InlineData(null, "FINISHED")]
    [InlineData("serverless-sync load lambda-1 runs/default/r/account/account.manifest.json", "STARTED")]
    public async Task StatementsNotOurs_OrNotEnded_AreIgnored(string? name, string state)
    {
        var statusEvent = FunctionsTestHost.StatementEvent(name ?? "x", "c0ffee00-0000-4000-8000-000000000001", state);
        if (name is null)
        {
            statusEvent = statusEvent.Replace("\"statementName\":\"x\",", "", StringComparison.Ordinal);
        }

        var output = await _host.InvokeAsync("LoadCompleted", statusEvent);

        Assert.Equal("Ignored", (string?)output["result"]);
        Assert.Empty(_host.StepFunctions.Calls);
        Assert.Empty(_host.Redshift.Requests);
    }

    [Fact]
    public async Task AnEventOfAnotherKind_IsRefusedNamingWhatItIs()
    {
        var statusEvent = FunctionsTestHost.StatementEvent("x", "id-1", "FINISHED").Replace("aws.redshift-data", "aws.s3", StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<MalformedEventException>(() => _host.InvokeAsync("LoadCompleted", statusEvent));

        Assert.Equal("LoadCompleted handles 'Redshift Data Statement Status Change' events from aws.redshift-data, not 'Redshift Data Statement Status Change' from aws.s3", error.Message);
    }
}
