using Microsoft.Extensions.Time.Testing;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Staging;
using ServerlessSync.Core.Status;
using ServerlessSync.Embedded.Tests.Sqlite;
using ServerlessSync.Testing;
using static ServerlessSync.Testing.StatusSamples;

namespace ServerlessSync.Embedded.Tests.Status;

/// <summary>
/// A run's live progress as the runner reports it, recorded in the status file and served with the run: object k of n,
/// rows, the object's rate and the run's time left, throttled while rows stream, gone once the run is put ended.
/// </summary>
public sealed class ProgressRecorderTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly StatusFile _file = new();

    public Task InitializeAsync() => _file.InitializeAsync();

    public Task DisposeAsync() => _file.DisposeAsync();

    [Fact]
    public async Task Report_ObjectsAndRowsAsTheRunGoes_RunViewShowsObjectKOfNRowsRateAndTimeLeft()
    {
        var store = _file.Open();
        var clock = new FakeTimeProvider(T1);
        var running = StatusBuilders.Run(runId: "run-p", status: RunStatus.Running, startedAt: T1);
        await store.PutRunAsync(running, None);
        var plans = new[] { "account", "invoice", "payment" }.Select(n => new ObjectPlan(n, SyncWindow.Historical(T1), null)).ToList();
        var recorder = new ProgressRecorder(store, clock);
        var queries = new StatusQueries(store);

        recorder.Report(new SyncEvent.RunStarted(new RunPlan(Connector, running.RunId, T1, plans)));
        recorder.Report(new SyncEvent.ObjectStarted(running.RunId, plans[0]));
        clock.Advance(TimeSpan.FromSeconds(20));
        recorder.Report(new SyncEvent.ObjectStarted(running.RunId, plans[1]));
        clock.Advance(TimeSpan.FromSeconds(4));
        recorder.Report(new SyncEvent.Extracting(new ExtractProgress("invoice", 2_000, 50_000, 1)));
        clock.Advance(TimeSpan.FromMilliseconds(500));
        // Within a second of the last write: not written.
        recorder.Report(new SyncEvent.Extracting(new ExtractProgress("invoice", 2_100, 51_000, 1)));
        await recorder.FlushAsync();

        var progress = (await queries.GetRunAsync(Connector, running.RunId, None))!.Progress!;
        Assert.Equal((2, 3, "invoice", "extracting", 2_000L, 50_000L), (progress.ObjectIndex, progress.ObjectCount, progress.ObjectName, progress.Phase, progress.Rows, progress.Bytes));
        // 2,000 rows in 4 s; one object took 20 s, so two more take 40 s less the 4 s this one has run.
        Assert.Equal((500.0, 36.0), (progress.RowsPerSecond, progress.SecondsLeft));

        recorder.Report(new SyncEvent.Loading("invoice", 2_300, 52_000));
        await recorder.FlushAsync();
        Assert.Equal(("loading", 2_300L), ((await queries.GetRunAsync(Connector, running.RunId, None))!.Progress!.Phase, (await queries.GetRunAsync(Connector, running.RunId, None))!.Progress!.Rows));

        await store.PutRunAsync(running with { Status = RunStatus.Succeeded, EndedAt = clock.GetUtcNow() }, None);
        Assert.Null((await queries.GetRunAsync(Connector, running.RunId, None))!.Progress);
    }

    [Fact]
    public async Task Report_ObjectLoadsWhileTheNextExtracts_ItsProgressKeepsItsOwnStart()
    {
        var store = _file.Open();
        var clock = new FakeTimeProvider(T1);
        var running = StatusBuilders.Run(runId: "run-o", status: RunStatus.Running, startedAt: T1);
        await store.PutRunAsync(running, None);
        var plans = new[] { "account", "invoice" }.Select(n => new ObjectPlan(n, SyncWindow.Historical(T1), null)).ToList();
        var recorder = new ProgressRecorder(store, clock);

        recorder.Report(new SyncEvent.RunStarted(new RunPlan(Connector, running.RunId, T1, plans)));
        recorder.Report(new SyncEvent.ObjectStarted(running.RunId, plans[0]));
        clock.Advance(TimeSpan.FromSeconds(10));
        // Objects overlap: invoice starts extracting, then account (started 10 s before) loads its 4,000 rows.
        recorder.Report(new SyncEvent.ObjectStarted(running.RunId, plans[1]));
        clock.Advance(TimeSpan.FromSeconds(2));
        recorder.Report(new SyncEvent.Loading("account", 4_000, 90_000));
        await recorder.FlushAsync();

        var progress = (await new StatusQueries(store).GetRunAsync(Connector, running.RunId, None))!.Progress!;
        Assert.Equal((1, "account", "loading"), (progress.ObjectIndex, progress.ObjectName, progress.Phase));
        Assert.Equal((T1, Math.Round(4_000 / 12.0, 1)), (progress.ObjectStartedAt, progress.RowsPerSecond!.Value));
    }
}
