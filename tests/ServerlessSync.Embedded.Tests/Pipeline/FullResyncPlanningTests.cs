using Microsoft.Extensions.Time.Testing;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;
using ServerlessSync.Embedded.Sqlite;
using ServerlessSync.Embedded.Tests.Sqlite;
using ServerlessSync.Testing;

namespace ServerlessSync.Embedded.Tests.Pipeline;

/// <summary>How <see cref="StartRunStep"/> plans periodic full re-syncs (<see cref="SyncOptions.FullResyncEvery"/>), on the SQLite status store.</summary>
public sealed class FullResyncPlanningTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    private readonly StatusFile _file = new();
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly ObjectNamesOnly _source = new("account", "invoice");
    private SqliteStatusStore _store = null!;

    public async Task InitializeAsync()
    {
        await _file.InitializeAsync();
        _store = _file.Open();
    }

    public Task DisposeAsync() => _file.DisposeAsync();

    [Fact]
    public async Task Start_IntervalPassedSinceLastFullSync_PlansFullResync_ConnectorStaysActive_RecordShowsIt()
    {
        await ActiveConnectorAsync(lastFullSync: T0);
        _clock.Advance(Week);
        var now = _clock.GetUtcNow();

        var run = await StartAsync(new Dictionary<string, TimeSpan> { ["account"] = Week });

        var account = run.Objects.Single(o => o.ObjectName == "account");
        var invoice = run.Objects.Single(o => o.ObjectName == "invoice");
        Assert.Equal((SyncWindow.Historical(now), (DateTimeOffset?)T0, true), (account.Window, account.ExpectedCursor, account.FullResync));
        Assert.Equal((SyncMode.Incremental, false), (invoice.Window.Mode, invoice.FullResync));
        Assert.Equal(ConnectorStatus.Active, (await _store.GetConnectorAsync("c1", None))!.Status);
        var stored = (await _store.GetRunAsync("c1", run.RunId, None))!;
        Assert.Equal(RunMode.Mixed, stored.Mode);
        Assert.Equal(
            [("account", SyncMode.Historical, true), ("invoice", SyncMode.Incremental, false)],
            stored.Objects.Select(o => (o.ObjectName, o.Mode, o.FullResync)));
    }

    [Fact]
    public async Task FullResyncCommitted_SetsLastFullSyncAt_NextStartIsIncremental_ConnectorActive()
    {
        await ActiveConnectorAsync(lastFullSync: T0);
        _clock.Advance(Week);
        var run = await StartAsync(new Dictionary<string, TimeSpan> { ["account"] = Week });
        var complete = new CompleteObjectStep(_store, _clock);
        foreach (var plan in run.Objects)
        {
            await complete.RecordLoadedAsync(run, plan, new LoadReport("k", plan.ObjectName, new LoadOutcome(0, 1, 2, 3, false), 1), None);
        }

        await new FinishRunStep(_store, _clock).FinishAsync(run, None);

        var account = (await _store.GetObjectsAsync("c1", None)).Single(o => o.ObjectName == "account");
        Assert.Equal((run.StartedAt, run.StartedAt, 2L), (account.Cursor!.Value, account.LastFullSyncAt!.Value, account.TotalDeleted));
        Assert.Equal(ConnectorStatus.Active, (await _store.GetConnectorAsync("c1", None))!.Status);
        Assert.True((await _store.GetRunAsync("c1", run.RunId, None))!.Objects.Single(o => o.ObjectName == "account").FullResync);

        _clock.Advance(TimeSpan.FromHours(1));
        var next = await StartAsync(new Dictionary<string, TimeSpan> { ["account"] = Week });
        Assert.All(next.Objects, o => Assert.Equal(SyncMode.Incremental, o.Window.Mode));
    }

    [Fact]
    public async Task Start_IntervalNotYetPassed_PlansIncremental()
    {
        await ActiveConnectorAsync(lastFullSync: T0);
        _clock.Advance(Week - TimeSpan.FromTicks(1));

        var run = await StartAsync(new Dictionary<string, TimeSpan> { ["account"] = Week });

        Assert.All(run.Objects, o => Assert.Equal((SyncMode.Incremental, false), (o.Window.Mode, o.FullResync)));
    }

    [Fact]
    public async Task Start_NoFullSyncRecorded_CountsAsDue_ForEveryObjectUnderStar()
    {
        await ActiveConnectorAsync(lastFullSync: null);
        _clock.Advance(TimeSpan.FromMinutes(10));

        var run = await StartAsync(new Dictionary<string, TimeSpan> { [FullResyncSchedule.EveryObject] = Week });

        Assert.All(run.Objects, o => Assert.Equal((SyncMode.Historical, true), (o.Window.Mode, o.FullResync)));
        Assert.Equal(ConnectorStatus.Active, (await _store.GetConnectorAsync("c1", None))!.Status);
        Assert.Equal(RunMode.Historical, (await _store.GetRunAsync("c1", run.RunId, None))!.Mode);
    }

    [Fact]
    public async Task Start_ObjectWithoutCursor_IsAFirstHistoricalNotAResync_AndTheConnectorIsInProgress()
    {
        var run = await StartAsync(new Dictionary<string, TimeSpan> { ["account"] = Week });

        Assert.All(run.Objects, o => Assert.Equal((SyncMode.Historical, false), (o.Window.Mode, o.FullResync)));
        Assert.Equal(ConnectorStatus.InProgress, (await _store.GetConnectorAsync("c1", None))!.Status);
    }

    [Fact]
    public async Task Start_UnknownObjectInSchedule_ThrowsNamingIt_RecordsNothing()
    {
        var error = await Assert.ThrowsAsync<UnknownObjectException>(() => StartAsync(new Dictionary<string, TimeSpan> { ["acount"] = Week }));

        Assert.Equal("acount", error.ObjectName);
        Assert.Contains("'acount'", error.Message, StringComparison.Ordinal);
        Assert.Null(await _store.GetConnectorAsync("c1", None));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task Start_IntervalNotPositive_Refused(int days)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(new Dictionary<string, TimeSpan> { ["account"] = TimeSpan.FromDays(days) }));

        Assert.Contains("full re-sync of account", error.Message, StringComparison.Ordinal);
    }

    private Task<RunPlan> StartAsync(IReadOnlyDictionary<string, TimeSpan> every) =>
        new StartRunStep(_store, _source, _clock).StartAsync(new SyncOptions { ConnectorId = "c1", FullResyncEvery = every }, None);

    /// <summary>An ACTIVE connector whose two objects have cursors at <see cref="T0"/>, the last full sync as given.</summary>
    private async Task ActiveConnectorAsync(DateTimeOffset? lastFullSync)
    {
        await _store.PutConnectorAsync(StatusBuilders.Connector(
            connectorId: "c1",
            source: _source.Name,
            selectedObjects: ["account", "invoice"],
            createdAt: T0,
            lastGoodDataAt: T0), None);
        foreach (var name in _source.Objects)
        {
            await _store.TryAdvanceCursorAsync("c1", name, null, T0, new LoadOutcome(1, 0, 0, 0, false), T0, fullSync: lastFullSync is not null, None);
        }
    }
}
