using static ServerlessSync.Testing.StatusSamples;

namespace ServerlessSync.Testing;

/// <summary>
/// What every status store must do (<see cref="IStatusStore"/>, <see cref="ILoadClaims"/> and <see cref="IRunLock"/>), written once. A test
/// class per store derives from this: its <see cref="IAsyncLifetime"/> creates the backing state (a file, a table)
/// and deletes it (xunit makes a new instance per test, so per test), and it answers the hooks below. What only one
/// store does, or does its own way, is tested in that store's own test classes: among it the offset in which a
/// store gives times back (here times compare as instants, to the tick).
/// </summary>
public abstract partial class StatusStoreContract<TStore> : IAsyncLifetime
    where TStore : IStatusStore, ILoadClaims, IRunLock
{
    protected static readonly CancellationToken None = CancellationToken.None;

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    /// <summary>A new store instance over this test's backing state that shares nothing in memory with the others, as another process would.</summary>
    protected abstract TStore NewStore();

    /// <summary>
    /// Everything the backing state holds for the connector, one line per row or item with all its columns or
    /// attributes, in a stable order: to show that a refused call wrote nothing.
    /// </summary>
    protected abstract Task<IReadOnlyList<string>> StoredRecordsAsync(string connectorId);

    [Theory]
    [InlineData(ConnectorStatus.InProgress)]
    [InlineData(ConnectorStatus.Active)]
    [InlineData(ConnectorStatus.Failed)]
    public async Task PutConnector_EveryField_RoundTrips(ConnectorStatus status)
    {
        var store = NewStore();
        // Selected objects keep the order given; quotes and SQL in values are only text.
        var state = StatusBuilders.Connector(
            source: "files",
            status: status,
            selectedObjects: ["invoice", "account", "o'brien \"quoted\" #1"],
            updatedAt: T1,
            lastGoodDataAt: T2,
            lastError: "boom; DROP TABLE runs; --",
            lastRunId: "run-1");

        await store.PutConnectorAsync(state, None);

        StatusAssert.Connector(state, await store.GetConnectorAsync(Connector, None));
    }

    [Fact]
    public async Task PutConnector_NullsAndEmptyList_RoundTrip()
    {
        var store = NewStore();
        var state = StatusBuilders.Connector(status: ConnectorStatus.InProgress);

        await store.PutConnectorAsync(state, None);

        StatusAssert.Connector(state, await store.GetConnectorAsync(Connector, None));
    }

    [Fact]
    public async Task PutConnector_Twice_ReplacesIncludingNulls()
    {
        var store = NewStore();
        await store.PutConnectorAsync(FailedConnector, None);
        var replaced = StatusBuilders.Connector(source: "files", selectedObjects: ["a", "b"], updatedAt: T2, lastRunId: "run-2");

        await store.PutConnectorAsync(replaced, None);

        StatusAssert.Connector(replaced, await store.GetConnectorAsync(Connector, None));
        Assert.Null(await store.GetConnectorAsync("other", None));
    }

    [Fact]
    public async Task GetObjects_None_Empty()
    {
        Assert.Empty(await NewStore().GetObjectsAsync(Connector, None));
    }

    [Fact]
    public async Task EveryTime_ReadBack_SameInstantToTheTick()
    {
        var times = await RoundTripEveryTimeAsync(NewStore());

        Assert.All(times, t => Assert.True(t.Read?.UtcTicks == t.Written.UtcTicks, $"{t.Field}: wrote {t.Written:O}, read {t.Read:O}"));
    }

    [Fact]
    public async Task TryAdvanceCursor_ExpectedNullAndNoObject_SetsCursorTotalsAndLoadedAt()
    {
        var store = NewStore();

        var moved = await store.TryAdvanceCursorAsync(Connector, "account", null, T1, new LoadOutcome(5, 2, 1, 9, false), T2, fullSync: false, None);

        Assert.True(moved);
        var state = Assert.Single(await store.GetObjectsAsync(Connector, None));
        Assert.Equal(StatusBuilders.Object(objectName: "account", cursor: T1, lastLoadedAt: T2, totalInserted: 5, totalUpdated: 2, totalDeleted: 1), state);
        Assert.True(state.HistoricalComplete);
    }

    [Fact]
    public async Task TryAdvanceCursor_StaleExpected_ReturnsFalseAndChangesNothing()
    {
        var store = NewStore();
        await store.TryAdvanceCursorAsync(Connector, "account", null, T1, new LoadOutcome(5, 2, 1, 0, false), T1, fullSync: false, None);
        var before = await StoredRecordsAsync(Connector);
        Assert.NotEmpty(before);

        Assert.False(await store.TryAdvanceCursorAsync(Connector, "account", T0, T2, new LoadOutcome(1, 1, 1, 0, false), T2, fullSync: false, None));
        Assert.False(await store.TryAdvanceCursorAsync(Connector, "account", null, T2, new LoadOutcome(1, 1, 1, 0, false), T2, fullSync: false, None));

        Assert.Equal(before, await StoredRecordsAsync(Connector));
        Assert.Equal(StatusBuilders.Object(objectName: "account", cursor: T1, lastLoadedAt: T1, totalInserted: 5, totalUpdated: 2, totalDeleted: 1), Assert.Single(await store.GetObjectsAsync(Connector, None)));
    }

    [Fact]
    public async Task TryAdvanceCursor_ExpectedButNoObject_ReturnsFalseAndCreatesNothing()
    {
        var store = NewStore();

        Assert.False(await store.TryAdvanceCursorAsync(Connector, "account", T0, T1, new LoadOutcome(1, 0, 0, 0, false), T1, fullSync: false, None));

        Assert.Empty(await store.GetObjectsAsync(Connector, None));
        Assert.Empty(await StoredRecordsAsync(Connector));
    }

    [Fact]
    public async Task TryAdvanceCursor_TwoInSequence_MovesAndAccumulates()
    {
        var store = NewStore();

        Assert.True(await store.TryAdvanceCursorAsync(Connector, "account", null, T0, new LoadOutcome(10, 0, 0, 0, false), T0, fullSync: false, None));
        Assert.True(await store.TryAdvanceCursorAsync(Connector, "account", T0, T1, new LoadOutcome(3, 4, 2, 7, false), T1, fullSync: false, None));
        Assert.True(await store.TryAdvanceCursorAsync(Connector, "account", T1, T2, LoadOutcome.Replayed, T2, fullSync: false, None));

        Assert.Equal(StatusBuilders.Object(objectName: "account", cursor: T2, lastLoadedAt: T2, totalInserted: 13, totalUpdated: 4, totalDeleted: 2), Assert.Single(await store.GetObjectsAsync(Connector, None)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-7 * 60)]
    public async Task TryAdvanceCursor_ExpectedSameInstantOtherOffset_Matches(int offsetMinutes)
    {
        var store = NewStore();
        await store.TryAdvanceCursorAsync(Connector, "account", null, T0, LoadOutcome.Replayed, T0, fullSync: false, None);

        Assert.True(await store.TryAdvanceCursorAsync(Connector, "account", T0.ToOffset(TimeSpan.FromMinutes(offsetMinutes)), T1, LoadOutcome.Replayed, T1, fullSync: false, None));

        Assert.Equal(T1, Assert.Single(await store.GetObjectsAsync(Connector, None)).Cursor);
    }

    [Fact]
    public async Task TryAdvanceCursor_ExpectedOneTickOff_ReturnsFalse()
    {
        var store = NewStore();
        await store.TryAdvanceCursorAsync(Connector, "account", null, T0, LoadOutcome.Replayed, T0, fullSync: false, None);

        Assert.False(await store.TryAdvanceCursorAsync(Connector, "account", T0.AddTicks(1), T1, LoadOutcome.Replayed, T1, fullSync: false, None));
        Assert.False(await store.TryAdvanceCursorAsync(Connector, "account", T0.AddTicks(-1), T1, LoadOutcome.Replayed, T1, fullSync: false, None));

        Assert.Equal(T0, Assert.Single(await store.GetObjectsAsync(Connector, None)).Cursor);
    }

    [Fact]
    public async Task TryAdvanceCursor_OtherObjectsAndConnectors_Independent()
    {
        var store = NewStore();
        await store.TryAdvanceCursorAsync(Connector, "invoice", null, T1, new LoadOutcome(1, 0, 0, 0, false), T1, fullSync: false, None);
        await store.TryAdvanceCursorAsync(Connector, "account", null, T0, new LoadOutcome(2, 0, 0, 0, false), T0, fullSync: false, None);
        await store.TryAdvanceCursorAsync("other", "account", null, T2, new LoadOutcome(3, 0, 0, 0, false), T2, fullSync: false, None);

        var objects = await store.GetObjectsAsync(Connector, None);

        Assert.Equal(["account", "invoice"], objects.Select(o => o.ObjectName));
        Assert.Equal([2L, 1L], objects.Select(o => o.TotalInserted));
        Assert.Equal(3L, Assert.Single(await store.GetObjectsAsync("other", None)).TotalInserted);
    }

    [Fact]
    public async Task TryAdvanceCursor_TwoStoresRaceFromSameCursor_ExactlyOneWins()
    {
        var first = NewStore();
        var second = NewStore();
        await first.TryAdvanceCursorAsync(Connector, "account", null, T0, LoadOutcome.Replayed, T0, fullSync: false, None);

        for (var i = 0; i < 20; i++)
        {
            var from = T0.AddHours(i);
            var results = await Task.WhenAll(
                Task.Run(() => first.TryAdvanceCursorAsync(Connector, "account", from, from.AddHours(1), new LoadOutcome(1, 0, 0, 0, false), from, fullSync: false, None)),
                Task.Run(() => second.TryAdvanceCursorAsync(Connector, "account", from, from.AddHours(1), new LoadOutcome(1, 0, 0, 0, false), from, fullSync: false, None)));
            Assert.Single(results, r => r);
        }

        var state = Assert.Single(await first.GetObjectsAsync(Connector, None));
        Assert.Equal(T0.AddHours(20), state.Cursor);
        Assert.Equal(20, state.TotalInserted);
    }

    [Fact]
    public async Task TryAdvanceCursor_ManyRacersFromNoCursor_ExactlyOneWins()
    {
        var stores = Enumerable.Range(0, 8).Select(_ => NewStore()).ToList();

        var results = await Task.WhenAll(stores.Select((s, i) =>
            Task.Run(() => s.TryAdvanceCursorAsync(Connector, "account", null, T1.AddHours(i), new LoadOutcome(1, 0, 0, 0, false), T1, fullSync: false, None))));

        var winner = Assert.Single(Enumerable.Range(0, results.Length), i => results[i]);
        var state = Assert.Single(await stores[0].GetObjectsAsync(Connector, None));
        Assert.Equal(T1.AddHours(winner), state.Cursor);
        Assert.Equal(1, state.TotalInserted);
    }

    [Fact]
    public async Task TryAdvanceCursor_FullSync_SetsLastFullSyncAtAndIncrementalKeepsIt()
    {
        var store = NewStore();

        Assert.True(await store.TryAdvanceCursorAsync(Connector, "account", null, T0, new LoadOutcome(4, 0, 0, 0, false), T0, fullSync: true, None));
        Assert.Equal(T0, Assert.Single(await store.GetObjectsAsync(Connector, None)).LastFullSyncAt);

        Assert.True(await store.TryAdvanceCursorAsync(Connector, "account", T0, T1, new LoadOutcome(1, 0, 0, 0, false), T1, fullSync: false, None));
        Assert.Equal(StatusBuilders.Object(objectName: "account", cursor: T1, lastLoadedAt: T1, totalInserted: 5, lastFullSyncAt: T0), Assert.Single(await NewStore().GetObjectsAsync(Connector, None)));

        // A full re-sync: a historical window from an existing cursor.
        Assert.True(await store.TryAdvanceCursorAsync(Connector, "account", T1, T2, new LoadOutcome(0, 1, 2, 2, false), T2, fullSync: true, None));
        Assert.Equal(StatusBuilders.Object(objectName: "account", cursor: T2, lastLoadedAt: T2, totalInserted: 5, totalUpdated: 1, totalDeleted: 2, lastFullSyncAt: T2), Assert.Single(await NewStore().GetObjectsAsync(Connector, None)));
    }

    [Fact]
    public async Task TryAdvanceCursor_RefusedFullSync_KeepsLastFullSyncAt()
    {
        var store = NewStore();
        await store.TryAdvanceCursorAsync(Connector, "account", null, T0, LoadOutcome.Replayed, T0, fullSync: true, None);

        Assert.False(await store.TryAdvanceCursorAsync(Connector, "account", T1, T2, LoadOutcome.Replayed, T2, fullSync: true, None));
        Assert.False(await store.TryAdvanceCursorAsync(Connector, "account", null, T2, LoadOutcome.Replayed, T2, fullSync: true, None));

        Assert.Equal(T0, Assert.Single(await store.GetObjectsAsync(Connector, None)).LastFullSyncAt);
    }

    [Theory]
    [InlineData(RunStatus.Running, SyncMode.Historical)]
    [InlineData(RunStatus.Succeeded, SyncMode.Incremental)]
    [InlineData(RunStatus.Failed, SyncMode.Incremental)]
    public async Task PutRunAndObjectRun_EveryField_RoundTrips(RunStatus status, SyncMode mode)
    {
        var store = NewStore();
        var run = StatusBuilders.Run(runId: "run-1", mode: RunMode.Mixed, status: status, endedAt: T2, error: "it failed");
        ObjectRunRecord[] objects =
        [
            StatusBuilders.ObjectRun(
                runId: "run-1",
                objectName: "account",
                mode: mode,
                windowStart: T0,
                status: status,
                rowsExtracted: 100,
                rowsInserted: 50,
                rowsUpdated: 40,
                rowsDeleted: 10,
                files: 3,
                bytes: 123_456_789_012,
                extractMilliseconds: 1_500,
                loadMilliseconds: 2_500,
                manifestKey: "runs/acme/run-1/account/account.manifest.json",
                error: "note"),
            StatusBuilders.ObjectRun(runId: "run-1", objectName: "invoice", windowEnd: T2, status: RunStatus.Running),
            StatusBuilders.ObjectRun(
                runId: "run-1",
                objectName: "product",
                windowEnd: T2,
                status: status,
                rowsExtracted: 9,
                rowsUpdated: 2,
                rowsDeleted: 3,
                files: 1,
                bytes: 10,
                extractMilliseconds: 1,
                loadMilliseconds: 1,
                manifestKey: "m",
                fullResync: true),
        ];

        await store.PutRunAsync(run, None);
        foreach (var o in objects.Reverse())
        {
            await store.PutObjectRunAsync(Connector, o, None);
        }

        StatusAssert.Run(run with { Objects = objects }, await store.GetRunAsync(Connector, "run-1", None));
        StatusAssert.Run(run with { Objects = objects }, await NewStore().GetRunAsync(Connector, "run-1", None));
    }

    [Fact]
    public async Task PutRun_NullsAndNoObjects_RoundTrips()
    {
        var store = NewStore();
        var run = StatusBuilders.Run(runId: "run-1", mode: RunMode.Historical, status: RunStatus.Running, startedAt: T1);

        await store.PutRunAsync(run, None);

        StatusAssert.Run(run, await store.GetRunAsync(Connector, "run-1", None));
        Assert.Null(await store.GetRunAsync(Connector, "run-2", None));
        Assert.Null(await store.GetRunAsync("other", "run-1", None));
    }

    [Fact]
    public async Task PutRun_Again_ReplacesOwnFieldsAndKeepsObjectRecords()
    {
        var store = NewStore();
        var objectRun = StatusBuilders.ObjectRun(
            runId: "run-1",
            objectName: "account",
            rowsExtracted: 1,
            rowsInserted: 1,
            files: 1,
            bytes: 10,
            extractMilliseconds: 1,
            loadMilliseconds: 1,
            manifestKey: "m");
        await store.PutRunAsync(StatusBuilders.Run(runId: "run-1", mode: RunMode.Historical, status: RunStatus.Running, error: "transient"), None);
        await store.PutObjectRunAsync(Connector, objectRun, None);
        var finished = StatusBuilders.Run(runId: "run-1", mode: RunMode.Historical, endedAt: T2);

        // A run passed with other object records (a stale copy) does not overwrite the stored ones; another
        // instance with the start instant in another offset replaces the same run.
        await NewStore().PutRunAsync(finished with { StartedAt = T0.ToUniversalTime(), Objects = [objectRun with { Status = RunStatus.Failed }] }, None);

        StatusAssert.Run(finished with { Objects = [objectRun] }, await store.GetRunAsync(Connector, "run-1", None));
        Assert.Single(await store.ListRunsAsync(Connector, 10, None));
    }

    [Fact]
    public async Task PutObjectRun_Again_Replaces()
    {
        var store = NewStore();
        await store.PutRunAsync(StatusBuilders.Run(runId: "run-1", status: RunStatus.Running), None);
        var pending = StatusBuilders.ObjectRun(runId: "run-1", objectName: "account", windowStart: T0, status: RunStatus.Running, error: "was here");
        await store.PutObjectRunAsync(Connector, pending, None);
        var done = pending with { Status = RunStatus.Succeeded, RowsExtracted = 7, RowsInserted = 7, Files = 1, Bytes = 99, ExtractMilliseconds = 5, LoadMilliseconds = 6, ManifestKey = "k", Error = null };

        await NewStore().PutObjectRunAsync(Connector, done, None);

        var read = await store.GetRunAsync(Connector, "run-1", None);
        Assert.Equal(done, Assert.Single(read!.Objects));
    }

    [Fact]
    public async Task PutObjectRun_WaitingForJobsInSlices_RoundTrips_AndTheDoneRecordDropsIt()
    {
        var store = NewStore();
        await store.PutRunAsync(StatusBuilders.Run(runId: "run-1", status: RunStatus.Running), None);
        var waiting = StatusBuilders.ObjectRun(runId: "run-1", objectName: "invoice", status: RunStatus.Running) with
        {
            JobsSubmittedAt = T1,
            Jobs = "aqua 2c93808457d787030157e031e5f1449f",
            SlicesDone = 3,
            SlicesTotal = 8,
        };
        await store.PutObjectRunAsync(Connector, waiting, None);
        var readWaiting = Assert.Single((await NewStore().GetRunAsync(Connector, "run-1", None))!.Objects);
        var done = waiting with { Status = RunStatus.Succeeded, JobsSubmittedAt = null, Jobs = null, SlicesDone = 0, SlicesTotal = 0 };
        await store.PutObjectRunAsync(Connector, done, None);

        Assert.Equal(waiting, readWaiting);
        Assert.Equal(done, Assert.Single((await NewStore().GetRunAsync(Connector, "run-1", None))!.Objects));
    }

    [Fact]
    public async Task ListRuns_NewestFirstByStartThenRunId_WithLimitAndObjects()
    {
        var store = NewStore();
        var written = await RunHistory.WriteAsync(store);

        await RunHistory.AssertListedAsync(NewStore(), written);

        Assert.Empty(await store.ListRunsAsync("nobody", 10, None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ListRunsAsync(Connector, 0, None));
    }
}
