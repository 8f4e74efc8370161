using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Status;
using ServerlessSync.Embedded.Tests.Sqlite;
using ServerlessSync.Testing;
using static ServerlessSync.Testing.StatusSamples;

namespace ServerlessSync.Embedded.Tests.Status;

/// <summary>The status read model over a real status file.</summary>
public sealed class StatusQueriesTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly StatusFile _file = new();

    public Task InitializeAsync() => _file.InitializeAsync();

    public Task DisposeAsync() => _file.DisposeAsync();

    [Fact]
    public async Task GetConnector_SelectedAndFormerObjects_CursorsTotalsAndLastRunStatus()
    {
        var store = _file.Open();
        await store.PutConnectorAsync(StatusBuilders.Connector(
            source: "files",
            status: ConnectorStatus.Failed,
            selectedObjects: ["invoice", "account"],
            updatedAt: T2,
            lastGoodDataAt: T1,
            lastError: "invoice: COPY failed",
            lastRunId: "run-2"), None);
        await store.TryAdvanceCursorAsync(Connector, "account", null, T1, new LoadOutcome(10, 2, 1, 0, false), T2, fullSync: true, None);
        await store.TryAdvanceCursorAsync(Connector, "account", T1, T2, new LoadOutcome(5, 0, 0, 0, false), T2, fullSync: false, None);
        await store.TryAdvanceCursorAsync(Connector, "contact", null, T0, new LoadOutcome(3, 0, 0, 0, false), T0, fullSync: false, None);
        await store.PutRunAsync(StatusBuilders.Run(runId: "run-2", mode: RunMode.Mixed, status: RunStatus.Running, startedAt: T2), None);

        var view = await new StatusQueries(_file.Open()).GetConnectorAsync(Connector, None);

        Assert.NotNull(view);
        Assert.Equal(
            new ConnectorView
            {
                ConnectorId = Connector,
                Source = "files",
                Status = ConnectorStatus.Failed,
                LastGoodDataAt = T1,
                LastError = "invoice: COPY failed",
                LastRunId = "run-2",
                LastRunStatus = RunStatus.Running,
                CreatedAt = T0,
                UpdatedAt = T2,
                Objects = view.Objects,
            },
            view);
        Assert.Equal(
            [
                new ObjectView { ObjectName = "invoice", Selected = true },
                new ObjectView { ObjectName = "account", Selected = true, HistoricalComplete = true, Cursor = T2, LastLoadedAt = T2, TotalInserted = 15, TotalUpdated = 2, TotalDeleted = 1, LastFullSyncAt = T1 },
                new ObjectView { ObjectName = "contact", Selected = false, HistoricalComplete = true, Cursor = T0, LastLoadedAt = T0, TotalInserted = 3 },
            ],
            view.Objects);
    }

    [Fact]
    public async Task GetConnector_NoRunYet_LastRunStatusNull()
    {
        var store = _file.Open();
        await store.PutConnectorAsync(StatusBuilders.Connector(status: ConnectorStatus.InProgress, selectedObjects: ["account"]), None);

        var view = await new StatusQueries(store).GetConnectorAsync(Connector, None);

        Assert.Null(view!.LastRunId);
        Assert.Null(view.LastRunStatus);
        Assert.Equal([new ObjectView { ObjectName = "account", Selected = true }], view.Objects);
    }

    [Fact]
    public async Task Queries_UnknownConnectorOrRun_Null()
    {
        var store = _file.Open();
        await RunPages.WriteFiveAsync(store);
        var queries = new StatusQueries(store);

        Assert.Null(await queries.GetConnectorAsync("nobody", None));
        // acme has runs but no connector item: unknown as a connector.
        Assert.Null(await queries.ListRunsAsync(Connector, 5, null, None));
        Assert.Null(await queries.GetRunAsync(Connector, "run-404", None));
        Assert.Null(await queries.GetRunAsync("other", "run-1", None));
        Assert.NotNull(await queries.GetRunAsync(Connector, "run-1", None));
    }

    [Fact]
    public async Task ListRuns_TwoPages_NewestFirstSummedUpWithToken()
    {
        var store = _file.Open();
        await store.PutConnectorAsync(StatusBuilders.Connector(source: "files", selectedObjects: ["account"], lastRunId: "run-5"), None);
        var written = await RunPages.WriteFiveAsync(store);
        var queries = new StatusQueries(store);

        var first = await queries.ListRunsAsync(Connector, 3, null, None);
        var second = await queries.ListRunsAsync(Connector, 3, first!.NextToken, None);

        Assert.Equal(["run-5", "run-4b", "run-4a"], first.Runs.Select(r => r.RunId));
        Assert.Equal(["run-2", "run-1"], second!.Runs.Select(r => r.RunId));
        Assert.Null(second.NextToken);
        Assert.Equal(Connector, first.ConnectorId);
        // run-4a: two object records, each 1 row extracted and inserted, 10 bytes; no end yet.
        var expected = new RunSummaryView
        {
            RunId = "run-4a",
            Mode = RunMode.Incremental,
            Status = RunStatus.Succeeded,
            StartedAt = written[2].StartedAt,
            Objects = 2,
            RowsExtracted = 2,
            RowsInserted = 2,
            Bytes = 20,
        };
        Assert.Equal(expected, first.Runs[2] with { FailedObjects = expected.FailedObjects });
        Assert.Empty(first.Runs[2].FailedObjects);
        // run-2 ran one hour and failed.
        Assert.Equal((3_600_000L, "boom"), (second.Runs[0].DurationMilliseconds, second.Runs[0].Error));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(StatusQueries.MaxRunsPerPage + 1)]
    public async Task ListRuns_LimitOutOfRange_Throws(int limit)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => new StatusQueries(_file.Open()).ListRunsAsync(Connector, limit, null, None));
    }

    [Fact]
    public async Task GetRun_FailedObjects_DetailsAndErrors()
    {
        var store = _file.Open();
        await store.PutRunAsync(StatusBuilders.Run(runId: "run-1", mode: RunMode.Mixed, status: RunStatus.Failed, endedAt: T1, error: "1 of 2 objects failed"), None);
        var account = ObjectRun("run-1", "account");
        var invoice = StatusBuilders.ObjectRun(
            runId: "run-1",
            objectName: "invoice",
            status: RunStatus.Failed,
            rowsExtracted: 40,
            files: 2,
            bytes: 4096,
            extractMilliseconds: 900,
            manifestKey: "runs/acme/run-1/invoice/invoice.manifest.json",
            error: "COPY failed: line 3, column amount");
        await store.PutObjectRunAsync(Connector, invoice, None);
        await store.PutObjectRunAsync(Connector, account, None);

        var view = await new StatusQueries(_file.Open()).GetRunAsync(Connector, "run-1", None);

        Assert.NotNull(view);
        Assert.Equal((Connector, "run-1", RunMode.Mixed, RunStatus.Failed), (view.ConnectorId, view.Run.RunId, view.Run.Mode, view.Run.Status));
        Assert.Equal(["invoice"], view.Run.FailedObjects);
        Assert.Equal((2, 41L, 1L, 4106L), (view.Run.Objects, view.Run.RowsExtracted, view.Run.RowsInserted, view.Run.Bytes));
        Assert.Equal((long)(T1 - T0).TotalMilliseconds, view.Run.DurationMilliseconds);
        Assert.Equal([account, invoice], view.Objects);
        Assert.Equal([new RunErrorView(null, "1 of 2 objects failed"), new RunErrorView("invoice", "COPY failed: line 3, column amount")], view.Errors);
    }

    [Fact]
    public async Task GetRun_RunningWithoutRecordedProgress_ReckonsItFromTheObjectsRecords()
    {
        // A cloud run: its objects run at once and no runner records progress; one ended, one waits for its jobs, one
        // has not started.
        var store = _file.Open();
        var started = T0;
        await store.PutRunAsync(StatusBuilders.Run(runId: "run-1", status: RunStatus.Running, startedAt: started), None);
        await store.PutObjectRunAsync(Connector, StatusBuilders.ObjectRun(objectName: "account", status: RunStatus.Succeeded, rowsExtracted: 600, bytes: 6000), None);
        await store.PutObjectRunAsync(Connector, StatusBuilders.ObjectRun(objectName: "invoice", status: RunStatus.Running) with { JobsSubmittedAt = started.AddMinutes(1) }, None);
        await store.PutObjectRunAsync(Connector, StatusBuilders.ObjectRun(objectName: "payment", status: RunStatus.Running), None);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(started.AddMinutes(10));

        var view = await new StatusQueries(_file.Open(), clock).GetRunAsync(Connector, "run-1", None);

        var progress = Assert.IsType<ProgressView>(view?.Progress);
        Assert.Equal((2, 3, "invoice", "waiting for export jobs (9 minutes)"), (progress.ObjectIndex, progress.ObjectCount, progress.ObjectName, progress.Phase));
        Assert.Equal((600L, 6000L), (progress.Rows, progress.Bytes));
        Assert.Equal(1.0, progress.RowsPerSecond); // 600 rows in 10 minutes of the run
        Assert.Equal(1200.0, progress.SecondsLeft); // 10 minutes for the one object ended, two to go
        Assert.Equal(started.AddMinutes(1), progress.ObjectStartedAt);

        await store.PutRunAsync(StatusBuilders.Run(runId: "run-1", status: RunStatus.Succeeded, startedAt: started, endedAt: started.AddMinutes(30)), None);
        Assert.Null((await new StatusQueries(_file.Open(), clock).GetRunAsync(Connector, "run-1", None))?.Progress);
    }
}
