using ServerlessSync.Core.Model;
using ServerlessSync.Functions.Hosting;
using ServerlessSync.Functions.Tests.Support;

namespace ServerlessSync.Functions.Tests.Functions;

public sealed class RecordObjectFunctionTests : IAsyncLifetime
{
    private FunctionsTestHost _host = null!;

    public async Task InitializeAsync() => _host = await FunctionsTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    [UsesEventSample("record-object-loaded.json")]
    public async Task LoadedSample_RecordsTheObjectSucceeded_KeepsTheExtraction_MovesTheCursor()
    {
        var extracted = await SampleRun.ExtractAsync(_host);

        var output = await _host.InvokeAsync("RecordObject", EventSamples.Load("record-object-loaded.json"));

        Assert.Equal("""{"objectName":"account","status":"SUCCEEDED"}""", output.ToJsonString());
        var account = await AccountRecordAsync();
        Assert.Equal(RunStatus.Succeeded, account.Status);
        Assert.Equal((412, (long)extracted["rows"]!, SampleRun.ManifestKey), (account.RowsInserted, account.RowsExtracted, account.ManifestKey));
        var cursor = Assert.Single(await _host.Status.GetObjectsAsync("default", CancellationToken.None));
        Assert.Equal(("account", FunctionsTestHost.SampleTime), (cursor.ObjectName, cursor.Cursor));
    }

    [Fact]
    [UsesEventSample("record-object-failed.json")]
    public async Task FailedSample_RecordsTheObjectFailedWithTheReadableError_CursorUnmoved_FilesKept()
    {
        var extracted = await SampleRun.ExtractAsync(_host);
        var staged = await _host.KeysAsync("runs/");

        var output = await _host.InvokeAsync("RecordObject", EventSamples.Load("record-object-failed.json"));

        var error = (string)output["error"]!;
        Assert.Equal("FAILED", (string?)output["status"]);
        Assert.StartsWith("RedshiftLoadException: COPY into zuora.account (default/20261126T213000Z-a1b2c3/account) failed", error, StringComparison.Ordinal);
        Assert.Contains("part-00000.csv.gz line 413, column updateddate", error, StringComparison.Ordinal);
        var account = await AccountRecordAsync();
        Assert.Equal((RunStatus.Failed, error, (long)extracted["rows"]!), (account.Status, account.Error, account.RowsExtracted));
        Assert.Empty(await _host.Status.GetObjectsAsync("default", CancellationToken.None));
        Assert.Equal(staged, await _host.KeysAsync("runs/"));
    }

    [Fact]
    public async Task ATimedOutLoad_IsRecordedAsSuch()
    {
        await SampleRun.ExtractAsync(_host);
        var input = EventSamples.Json("record-object-failed.json");
        input["error"] = new System.Text.Json.Nodes.JsonObject { ["Error"] = "States.Timeout", ["Cause"] = null };

        var output = await _host.InvokeAsync("RecordObject", input.ToJsonString());

        Assert.StartsWith("States.Timeout: the task did not finish in time", (string?)output["error"], StringComparison.Ordinal);
        Assert.Equal(RunStatus.Failed, (await AccountRecordAsync()).Status);
    }

    [Theory]
    [InlineData(true, "both")]
    [InlineData(false, "neither")]
    public async Task BothOrNeitherOfLoadAndError_IsRefused(bool both, string said)
    {
        var input = EventSamples.Json("record-object-loaded.json");
        if (both)
        {
            input["error"] = new System.Text.Json.Nodes.JsonObject { ["Error"] = "X", ["Cause"] = "y" };
        }
        else
        {
            input.AsObject().Remove("load");
        }

        var error = await Assert.ThrowsAsync<MalformedEventException>(() => _host.InvokeAsync("RecordObject", input.ToJsonString()));

        Assert.Contains($"it was given {said}", error.Message, StringComparison.Ordinal);
    }

    private async Task<ObjectRunRecord> AccountRecordAsync()
    {
        var run = await _host.Status.GetRunAsync("default", FunctionsTestHost.SampleRunId, CancellationToken.None);
        return Assert.Single(run!.Objects, o => o.ObjectName == "account");
    }
}
