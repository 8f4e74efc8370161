using Microsoft.Extensions.Time.Testing;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;
using ServerlessSync.Embedded.Sqlite;
using ServerlessSync.Embedded.Tests.Sqlite;
using ServerlessSync.Testing;

namespace ServerlessSync.Embedded.Tests.Pipeline;

/// <summary>
/// The steps a workflow runs as separate states (apart from the extraction that wrote the object's record), on the
/// SQLite status store: recording a committed load or a failure from the stored record, and failing a whole run.
/// </summary>
public sealed class WorkflowStepTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly StatusFile _file = new();
    private readonly FakeTimeProvider _clock = new(T0);
    private SqliteStatusStore _store = null!;

    public async Task InitializeAsync()
    {
        await _file.InitializeAsync();
        _store = _file.Open();
    }

    public Task DisposeAsync() => _file.DisposeAsync();

    [Fact]
    public async Task RecordLoaded_KeepsTheExtractionsFigures_MovesTheCursor()
    {
        var (run, account, _) = await StartedRunAsync();
        await _store.PutObjectRunAsync("c1", ObjectRuns.Pending(run.RunId, account) with { RowsExtracted = 7, Files = 2, Bytes = 900, ExtractMilliseconds = 40, ManifestKey = "runs/c1/r1/account/account.manifest.json" }, None);

        var record = await new CompleteObjectStep(_store, _clock).RecordLoadedAsync(run, account, new LoadReport("runs/c1/r1/account/account.manifest.json", "account", new(5, 2, 0, 0, false), 12), None);

        Assert.Equal((RunStatus.Succeeded, 7L, 2, 900L, 40L, 5L, 2L, 12L), (record.Status, record.RowsExtracted, record.Files, record.Bytes, record.ExtractMilliseconds, record.RowsInserted, record.RowsUpdated, record.LoadMilliseconds));
        var stored = (await _store.GetRunAsync("c1", run.RunId, None))!.Objects.Single(o => o.ObjectName == "account");
        Assert.Equal(record, stored);
        Assert.Equal(account.Window.End, (await _store.GetObjectsAsync("c1", None)).Single(o => o.ObjectName == "account").Cursor);
    }

    [Fact]
    public async Task RecordFailed_KeepsTheExtractionsFigures_LeavesTheCursor()
    {
        var (run, account, _) = await StartedRunAsync();
        await _store.PutObjectRunAsync("c1", ObjectRuns.Pending(run.RunId, account) with { RowsExtracted = 7, ManifestKey = "k" }, None);

        var record = await new CompleteObjectStep(_store, _clock).RecordFailedAsync(run, account, "COPY failed at line 2", None);

        Assert.Equal((RunStatus.Failed, 7L, "k", "COPY failed at line 2"), (record.Status, record.RowsExtracted, record.ManifestKey, record.Error));
        Assert.Empty(await _store.GetObjectsAsync("c1", None));
    }

    [Fact]
    public async Task FailRun_FailsTheUnfinishedObjects_KeepsTheFinished_AndTheConnectorFails()
    {
        var (run, account, invoice) = await StartedRunAsync();
        await new CompleteObjectStep(_store, _clock).RecordLoadedAsync(run, account, new LoadReport("k", "account", new(1, 0, 0, 0, false), 1), None);

        var finished = await new FinishRunStep(_store, _clock).FailAsync("c1", run.RunId, "States.Timeout: the run took too long", None);

        Assert.Equal(RunStatus.Failed, finished.Status);
        Assert.Equal($"{invoice.ObjectName}: States.Timeout: the run took too long", finished.Error);
        var objects = (await _store.GetRunAsync("c1", run.RunId, None))!.Objects.ToDictionary(o => o.ObjectName, o => o.Status);
        Assert.Equal(RunStatus.Succeeded, objects["account"]);
        Assert.Equal(RunStatus.Failed, objects["invoice"]);
        Assert.Equal(ConnectorStatus.Failed, (await _store.GetConnectorAsync("c1", None))!.Status);
    }

    [Fact]
    public async Task GuardedStart_WhileAnotherRunHoldsTheLock_Refuses_RecordingNothing_UntilItFinishes()
    {
        var guard = new RunGuard(_store, TimeSpan.FromHours(6));
        var source = new ObjectNamesOnly("account", "invoice");
        var first = await new StartRunStep(_store, source, _clock, guard).StartAsync(new SyncOptions { ConnectorId = "c1", RunId = "exec-1" }, None);
        Assert.Equal("exec-1", first.RunId);

        var refused = await Assert.ThrowsAsync<RunInProgressException>(() => new StartRunStep(_store, source, _clock, guard).StartAsync(new SyncOptions { ConnectorId = "c1", RunId = "exec-2" }, None));

        Assert.Equal("exec-1", refused.RunningRunId);
        Assert.Null(await _store.GetRunAsync("c1", "exec-2", None));
        Assert.Equal("exec-1", (await _store.GetConnectorAsync("c1", None))!.LastRunId);

        // A retried start of the same run renews its own lock instead of refusing itself.
        Assert.Equal("exec-1", (await new StartRunStep(_store, source, _clock, guard).StartAsync(new SyncOptions { ConnectorId = "c1", RunId = "exec-1" }, None)).RunId);

        await new FinishRunStep(_store, _clock, _store).FailAsync("c1", "exec-1", "stopped", None);
        var next = await new StartRunStep(_store, source, _clock, guard).StartAsync(new SyncOptions { ConnectorId = "c1", RunId = "exec-2" }, None);
        Assert.Equal("exec-2", next.RunId);
    }

    [Fact]
    public async Task GuardedStart_AfterTheHoldersLeaseEnded_ClosesTheAbandonedRun_AndStarts()
    {
        var guard = new RunGuard(_store, TimeSpan.FromHours(6));
        var source = new ObjectNamesOnly("account");
        await new StartRunStep(_store, source, _clock, guard).StartAsync(new SyncOptions { ConnectorId = "c1", RunId = "died" }, None);

        _clock.Advance(TimeSpan.FromHours(6));
        var next = await new StartRunStep(_store, source, _clock, guard).StartAsync(new SyncOptions { ConnectorId = "c1", RunId = "next" }, None);

        Assert.Equal("next", next.RunId);
        var abandoned = (await _store.GetRunAsync("c1", "died", None))!;
        Assert.Equal(RunStatus.Failed, abandoned.Status);
        Assert.Contains("abandoned", abandoned.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GuardedStart_PreviousRunFinishesWhileItWaitsForTheLock_WritesBackTheFinishedConnector()
    {
        var source = new ObjectNamesOnly("account");
        var first = await new StartRunStep(_store, source, _clock, new RunGuard(_store, TimeSpan.FromHours(6))).StartAsync(new SyncOptions { ConnectorId = "c1", RunId = "a" }, None);
        Assert.Equal(ConnectorStatus.InProgress, (await _store.GetConnectorAsync("c1", None))!.Status);

        // Run a finishes (ACTIVE, lock released) between the second start's first read and its taking the lock.
        var guard = new RunGuard(new BeforeAcquire(_store, async () =>
        {
            await new CompleteObjectStep(_store, _clock).RecordLoadedAsync(first, first.Objects[0], new LoadReport("k", "account", new(1, 0, 0, 0, false), 1), None);
            await new FinishRunStep(_store, _clock, _store).FinishAsync(first, None);
        }), TimeSpan.FromHours(6));
        _clock.Advance(TimeSpan.FromMinutes(1));
        await new StartRunStep(_store, source, _clock, guard).StartAsync(new SyncOptions { ConnectorId = "c1", RunId = "b" }, None);

        var connector = (await _store.GetConnectorAsync("c1", None))!;
        Assert.Equal(ConnectorStatus.Active, connector.Status);
        Assert.Equal(first.StartedAt, connector.LastGoodDataAt);
        Assert.Equal("b", connector.LastRunId);
    }

    [Fact]
    public async Task GuardedStart_ConnectorOfAnotherSource_RefusedBeforeTakingTheLock()
    {
        var guard = new RunGuard(_store, TimeSpan.FromHours(6));
        var first = await new StartRunStep(_store, new ObjectNamesOnly("account"), _clock, guard).StartAsync(new SyncOptions { ConnectorId = "c1", RunId = "exec-1" }, None);
        await new FinishRunStep(_store, _clock, _store).FinishAsync(first, None);

        var refused = await Assert.ThrowsAsync<ConnectorSourceMismatchException>(() =>
            new StartRunStep(_store, new ObjectNamesOnly("account") { Name = "zuora" }, _clock, guard).StartAsync(new SyncOptions { ConnectorId = "c1", RunId = "exec-2" }, None));

        Assert.Contains("connector 'c1' syncs the 'names-only' source, not 'zuora'", refused.Message, StringComparison.Ordinal);
        Assert.Null(await _store.GetRunAsync("c1", "exec-2", None));
        Assert.Equal("names-only", (await _store.GetConnectorAsync("c1", None))!.Source);
        Assert.True((await _store.TryAcquireAsync("c1", "exec-3", _clock.GetUtcNow(), TimeSpan.FromHours(1), None)).Acquired);
    }

    [Fact]
    public async Task GuardedStart_UnknownObject_LeavesTheLockFree()
    {
        var guard = new RunGuard(_store, TimeSpan.FromHours(6));

        await Assert.ThrowsAsync<UnknownObjectException>(() =>
            new StartRunStep(_store, new ObjectNamesOnly("account"), _clock, guard).StartAsync(new SyncOptions { ConnectorId = "c1", RunId = "exec-1", Objects = ["acount"] }, None));

        Assert.True((await _store.TryAcquireAsync("c1", "exec-2", _clock.GetUtcNow(), TimeSpan.FromHours(1), None)).Acquired);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/in/it")]
    public async Task RunIdThatCannotNameAnExecutionOrAKey_IsRefused(string runId) =>
        Assert.Contains("run id", (await Assert.ThrowsAsync<ArgumentException>(() =>
            new StartRunStep(_store, new ObjectNamesOnly("account"), _clock).StartAsync(new SyncOptions { ConnectorId = "c1", RunId = runId }, None))).Message, StringComparison.Ordinal);

    private async Task<(RunPlan Run, ObjectPlan Account, ObjectPlan Invoice)> StartedRunAsync()
    {
        var account = new ObjectPlan("account", new SyncWindow(null, T0), null);
        var invoice = new ObjectPlan("invoice", new SyncWindow(null, T0), null);
        var run = new RunPlan("c1", "r1", T0, [account, invoice]);
        await _store.PutConnectorAsync(StatusBuilders.Connector(
            connectorId: "c1",
            status: ConnectorStatus.InProgress,
            selectedObjects: ["account", "invoice"],
            createdAt: T0,
            lastRunId: "r1"), None);
        await _store.PutRunAsync(StatusBuilders.Run(runId: "r1", connectorId: "c1", mode: RunMode.Historical, status: RunStatus.Running, startedAt: T0), None);
        await _store.PutObjectRunAsync("c1", ObjectRuns.Pending("r1", account), None);
        await _store.PutObjectRunAsync("c1", ObjectRuns.Pending("r1", invoice), None);
        return (run, account, invoice);
    }

    /// <summary>A run lock that does something just before each acquisition (another run's finish, say).</summary>
    private sealed class BeforeAcquire(IRunLock inner, Func<Task> before) : IRunLock
    {
        public async Task<RunLockResult> TryAcquireAsync(string connectorId, string runId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
        {
            await before();
            return await inner.TryAcquireAsync(connectorId, runId, now, lease, cancellationToken);
        }

        public Task ReleaseAsync(string connectorId, string runId, CancellationToken cancellationToken) => inner.ReleaseAsync(connectorId, runId, cancellationToken);
    }
}
