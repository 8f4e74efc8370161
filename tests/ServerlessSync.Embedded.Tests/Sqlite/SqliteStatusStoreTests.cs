using System.Globalization;
using Microsoft.Data.Sqlite;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Embedded.Sqlite;

namespace ServerlessSync.Embedded.Tests.Sqlite;

public sealed class SqliteStatusStoreTests : IAsyncLifetime
{
    private const string Connector = "acme";
    private static readonly CancellationToken None = CancellationToken.None;

    // Ticks below the microsecond and non-UTC offsets: the store must keep both exactly.
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2025, 3, 1, 10, 15, 30, TimeSpan.FromHours(1)).AddTicks(1_234_567);
    private static readonly DateTimeOffset T1 = new DateTimeOffset(2025, 3, 2, 0, 0, 0, TimeSpan.Zero).AddTicks(5);
    private static readonly DateTimeOffset T2 = new DateTimeOffset(2025, 3, 3, 23, 59, 59, TimeSpan.FromMinutes(-330));

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sqlite-status-" + Guid.NewGuid().ToString("N"));
    private readonly List<SqliteStatusStore> _stores = [];

    private string DatabasePath => Path.Combine(_directory, "nested", "status.db");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private SqliteStatusStore Open()
    {
        var store = new SqliteStatusStore(DatabasePath);
        _stores.Add(store);
        return store;
    }

    [Fact]
    public async Task FirstUse_MissingDirectory_CreatesFileTablesWalAndVersion()
    {
        var store = Open();
        Assert.False(File.Exists(DatabasePath));

        Assert.Null(await store.GetConnectorAsync(Connector, None));

        Assert.True(File.Exists(DatabasePath));
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        Assert.Equal(2L, Scalar(connection, "PRAGMA user_version"));
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode"));
        Assert.Equal(
            "connectors,load_claims,object_runs,objects,runs",
            Scalar(connection, "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)"));
    }

    [Fact]
    public async Task Open_FileFromNewerVersion_ThrowsNamingVersion()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            Scalar(connection, "PRAGMA user_version = 7");
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Open().GetConnectorAsync(Connector, None));

        Assert.Contains("schema version 7", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ConnectorStatus.IN_PROGRESS)]
    [InlineData(ConnectorStatus.ACTIVE)]
    [InlineData(ConnectorStatus.FAILED)]
    public async Task PutConnector_EveryField_RoundTrips(ConnectorStatus status)
    {
        var store = Open();
        var state = new ConnectorState(Connector, "files", status, ["account", "invoice", "o'brien \"quoted\""], T0, T1, T2, "boom; DROP TABLE runs; --", "run-1");

        await store.PutConnectorAsync(state, None);
        var read = await store.GetConnectorAsync(Connector, None);

        AssertConnector(state, read);
    }

    [Fact]
    public async Task PutConnector_NullsAndEmptyList_RoundTrip()
    {
        var store = Open();
        var state = new ConnectorState(Connector, "synthetic", ConnectorStatus.IN_PROGRESS, [], T0, T0, null, null, null);

        await store.PutConnectorAsync(state, None);

        AssertConnector(state, await store.GetConnectorAsync(Connector, None));
    }

    [Fact]
    public async Task PutConnector_Twice_Replaces()
    {
        var store = Open();
        await store.PutConnectorAsync(new ConnectorState(Connector, "files", ConnectorStatus.FAILED, ["a"], T0, T0, T1, "e", "run-1"), None);
        var replaced = new ConnectorState(Connector, "files", ConnectorStatus.ACTIVE, ["a", "b"], T0, T2, null, null, "run-2");

        await store.PutConnectorAsync(replaced, None);

        AssertConnector(replaced, await store.GetConnectorAsync(Connector, None));
        Assert.Null(await store.GetConnectorAsync("other", None));
    }

    [Fact]
    public async Task GetObjects_None_Empty()
    {
        Assert.Empty(await Open().GetObjectsAsync(Connector, None));
    }

    [Fact]
    public async Task TryAdvanceCursor_ExpectedNullAndNoRow_SetsCursorTotalsAndLoadedAt()
    {
        var store = Open();

        var moved = await store.TryAdvanceCursorAsync(Connector, "account", null, T1, new LoadOutcome(5, 2, 1, 9, false), T2, None);

        Assert.True(moved);
        var state = Assert.Single(await store.GetObjectsAsync(Connector, None));
        Assert.Equal(new ObjectState(Connector, "account", T1, T2, 5, 2, 1), state);
        AssertExact(T1, state.Cursor);
        AssertExact(T2, state.LastLoadedAt);
        Assert.True(state.HistoricalComplete);
    }

    [Fact]
    public async Task TryAdvanceCursor_StaleExpected_ReturnsFalseAndChangesNothing()
    {
        var store = Open();
        await store.TryAdvanceCursorAsync(Connector, "account", null, T1, new LoadOutcome(5, 2, 1, 0, false), T1, None);
        var before = await store.GetObjectsAsync(Connector, None);

        Assert.False(await store.TryAdvanceCursorAsync(Connector, "account", T0, T2, new LoadOutcome(1, 1, 1, 0, false), T2, None));
        Assert.False(await store.TryAdvanceCursorAsync(Connector, "account", null, T2, new LoadOutcome(1, 1, 1, 0, false), T2, None));

        Assert.Equal(before, await store.GetObjectsAsync(Connector, None));
    }

    [Fact]
    public async Task TryAdvanceCursor_ExpectedButNoRow_ReturnsFalseAndCreatesNothing()
    {
        var store = Open();

        Assert.False(await store.TryAdvanceCursorAsync(Connector, "account", T0, T1, new LoadOutcome(1, 0, 0, 0, false), T1, None));

        Assert.Empty(await store.GetObjectsAsync(Connector, None));
    }

    [Fact]
    public async Task TryAdvanceCursor_TwoInSequence_MovesAndAccumulates()
    {
        var store = Open();

        Assert.True(await store.TryAdvanceCursorAsync(Connector, "account", null, T0, new LoadOutcome(10, 0, 0, 0, false), T0, None));
        Assert.True(await store.TryAdvanceCursorAsync(Connector, "account", T0, T1, new LoadOutcome(3, 4, 2, 7, false), T1, None));
        Assert.True(await store.TryAdvanceCursorAsync(Connector, "account", T1, T2, LoadOutcome.Replayed, T2, None));

        var state = Assert.Single(await store.GetObjectsAsync(Connector, None));
        Assert.Equal(new ObjectState(Connector, "account", T2, T2, 13, 4, 2), state);
        AssertExact(T2, state.Cursor);
    }

    [Fact]
    public async Task TryAdvanceCursor_ExpectedSameInstantOtherOffset_Matches()
    {
        var store = Open();
        await store.TryAdvanceCursorAsync(Connector, "account", null, T0, LoadOutcome.Replayed, T0, None);

        Assert.True(await store.TryAdvanceCursorAsync(Connector, "account", T0.ToUniversalTime(), T1, LoadOutcome.Replayed, T1, None));
    }

    [Fact]
    public async Task TryAdvanceCursor_OtherObjectsAndConnectors_Independent()
    {
        var store = Open();
        await store.TryAdvanceCursorAsync(Connector, "invoice", null, T1, new LoadOutcome(1, 0, 0, 0, false), T1, None);
        await store.TryAdvanceCursorAsync(Connector, "account", null, T0, new LoadOutcome(2, 0, 0, 0, false), T0, None);
        await store.TryAdvanceCursorAsync("other", "account", null, T2, new LoadOutcome(3, 0, 0, 0, false), T2, None);

        var objects = await store.GetObjectsAsync(Connector, None);

        Assert.Equal(["account", "invoice"], objects.Select(o => o.ObjectName));
        Assert.Equal([2L, 1L], objects.Select(o => o.TotalInserted));
    }

    [Fact]
    public async Task TryAdvanceCursor_TwoStoresRaceFromSameCursor_ExactlyOneWins()
    {
        var first = Open();
        var second = Open();
        await first.TryAdvanceCursorAsync(Connector, "account", null, T0, LoadOutcome.Replayed, T0, None);

        for (var i = 0; i < 20; i++)
        {
            var from = T0.AddHours(i);
            var results = await Task.WhenAll(
                Task.Run(() => first.TryAdvanceCursorAsync(Connector, "account", from, from.AddHours(1), new LoadOutcome(1, 0, 0, 0, false), from, None)),
                Task.Run(() => second.TryAdvanceCursorAsync(Connector, "account", from, from.AddHours(1), new LoadOutcome(1, 0, 0, 0, false), from, None)));
            Assert.Single(results, r => r);
        }

        var state = Assert.Single(await first.GetObjectsAsync(Connector, None));
        Assert.Equal(T0.AddHours(20), state.Cursor);
        Assert.Equal(20, state.TotalInserted);
    }

    [Theory]
    [InlineData(RunStatus.RUNNING, SyncMode.Historical)]
    [InlineData(RunStatus.SUCCEEDED, SyncMode.Incremental)]
    [InlineData(RunStatus.FAILED, SyncMode.Incremental)]
    public async Task PutRunAndObjectRun_EveryField_RoundTrips(RunStatus status, SyncMode mode)
    {
        var store = Open();
        var run = new RunRecord("run-1", Connector, "MIXED", status, T0, T2, "it failed", []);
        var objects = new[]
        {
            new ObjectRunRecord("run-1", "account", mode, T0, T1, status, 100, 50, 40, 10, 3, 123_456_789_012, 1_500, 2_500, "runs/acme/run-1/account/account.manifest.json", "note"),
            new ObjectRunRecord("run-1", "invoice", SyncMode.Historical, null, T2, RunStatus.RUNNING, 0, 0, 0, 0, 0, 0, 0, 0, null, null),
        };

        await store.PutRunAsync(run, None);
        foreach (var o in objects.Reverse())
        {
            await store.PutObjectRunAsync(Connector, o, None);
        }

        var read = await store.GetRunAsync(Connector, "run-1", None);

        AssertRun(run with { Objects = objects }, read);
    }

    [Fact]
    public async Task PutRun_NullsAndNoObjects_RoundTrips()
    {
        var store = Open();
        var run = new RunRecord("run-1", Connector, "HISTORICAL", RunStatus.RUNNING, T1, null, null, []);

        await store.PutRunAsync(run, None);

        AssertRun(run, await store.GetRunAsync(Connector, "run-1", None));
        Assert.Null(await store.GetRunAsync(Connector, "run-2", None));
        Assert.Null(await store.GetRunAsync("other", "run-1", None));
    }

    [Fact]
    public async Task PutRun_Again_ReplacesOwnFieldsAndKeepsObjectRecords()
    {
        var store = Open();
        var objectRun = new ObjectRunRecord("run-1", "account", SyncMode.Historical, null, T1, RunStatus.SUCCEEDED, 1, 1, 0, 0, 1, 10, 1, 1, "m", null);
        await store.PutRunAsync(new RunRecord("run-1", Connector, "HISTORICAL", RunStatus.RUNNING, T0, null, null, []), None);
        await store.PutObjectRunAsync(Connector, objectRun, None);
        var finished = new RunRecord("run-1", Connector, "HISTORICAL", RunStatus.SUCCEEDED, T0, T2, null, []);

        // A run passed with other object records (a stale copy) does not overwrite the stored ones.
        await store.PutRunAsync(finished with { Objects = [objectRun with { Status = RunStatus.FAILED }] }, None);

        AssertRun(finished with { Objects = [objectRun] }, await store.GetRunAsync(Connector, "run-1", None));
    }

    [Fact]
    public async Task PutObjectRun_Again_Replaces()
    {
        var store = Open();
        await store.PutRunAsync(new RunRecord("run-1", Connector, "INCREMENTAL", RunStatus.RUNNING, T0, null, null, []), None);
        var pending = new ObjectRunRecord("run-1", "account", SyncMode.Incremental, T0, T1, RunStatus.RUNNING, 0, 0, 0, 0, 0, 0, 0, 0, null, null);
        await store.PutObjectRunAsync(Connector, pending, None);
        var done = pending with { Status = RunStatus.SUCCEEDED, RowsExtracted = 7, RowsInserted = 7, Files = 1, Bytes = 99, ExtractMilliseconds = 5, LoadMilliseconds = 6, ManifestKey = "k" };

        await store.PutObjectRunAsync(Connector, done, None);

        var read = await store.GetRunAsync(Connector, "run-1", None);
        Assert.Equal(done, Assert.Single(read!.Objects));
    }

    [Fact]
    public async Task ListRuns_NewestFirstByStartThenRunId_WithLimitAndObjects()
    {
        var store = Open();
        var start = new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);
        // Inserted out of order; run-c starts at 08:30Z written as 10:30+02:00, so text order would put it last.
        var runs = new[]
        {
            new RunRecord("run-b", Connector, "INCREMENTAL", RunStatus.SUCCEEDED, start.AddHours(1), start.AddHours(2), null, []),
            new RunRecord("run-a", Connector, "HISTORICAL", RunStatus.SUCCEEDED, start, start.AddHours(1), null, []),
            new RunRecord("run-d", Connector, "INCREMENTAL", RunStatus.FAILED, start.AddHours(1), null, "x", []),
            new RunRecord("run-c", Connector, "INCREMENTAL", RunStatus.SUCCEEDED, start.AddMinutes(30).ToOffset(TimeSpan.FromHours(2)), null, null, []),
            new RunRecord("run-z", "other", "INCREMENTAL", RunStatus.SUCCEEDED, start.AddDays(1), null, null, []),
        };
        foreach (var run in runs)
        {
            await store.PutRunAsync(run, None);
        }

        await store.PutObjectRunAsync(Connector, ObjectRun("run-b", "subscription"), None);
        await store.PutObjectRunAsync(Connector, ObjectRun("run-b", "account"), None);
        await store.PutObjectRunAsync(Connector, ObjectRun("run-c", "invoice"), None);
        await store.PutObjectRunAsync(Connector, ObjectRun("run-a", "account"), None);
        await store.PutObjectRunAsync("other", ObjectRun("run-b", "zzz"), None);

        var all = await store.ListRunsAsync(Connector, 10, None);
        var newestThree = await store.ListRunsAsync(Connector, 3, None);

        Assert.Equal(["run-d", "run-b", "run-c", "run-a"], all.Select(r => r.RunId));
        Assert.Equal(["run-d", "run-b", "run-c"], newestThree.Select(r => r.RunId));
        Assert.Empty(all[0].Objects);
        Assert.Equal(["account", "subscription"], all[1].Objects.Select(o => o.ObjectName));
        Assert.Equal(["invoice"], all[2].Objects.Select(o => o.ObjectName));
        Assert.Equal(["account"], all[3].Objects.Select(o => o.ObjectName));
        AssertRun(runs[0] with { Objects = [ObjectRun("run-b", "account"), ObjectRun("run-b", "subscription")] }, newestThree[1]);
        Assert.Empty(await store.ListRunsAsync("nobody", 10, None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ListRunsAsync(Connector, 0, None));
    }

    [Fact]
    public async Task Reopen_SameFile_SeesSameState()
    {
        var connector = new ConnectorState(Connector, "files", ConnectorStatus.ACTIVE, ["account"], T0, T1, T2, null, "run-1");
        var run = new RunRecord("run-1", Connector, "HISTORICAL", RunStatus.SUCCEEDED, T0, T1, null, [ObjectRun("run-1", "account")]);
        var writer = Open();
        await writer.PutConnectorAsync(connector, None);
        await writer.PutRunAsync(run, None);
        await writer.PutObjectRunAsync(Connector, run.Objects[0], None);
        await writer.TryAdvanceCursorAsync(Connector, "account", null, T1, new LoadOutcome(4, 0, 0, 0, false), T2, None);
        await writer.DisposeAsync();
        _stores.Remove(writer);

        var reader = Open();

        AssertConnector(connector, await reader.GetConnectorAsync(Connector, None));
        AssertRun(run, Assert.Single(await reader.ListRunsAsync(Connector, 5, None)));
        Assert.Equal(new ObjectState(Connector, "account", T1, T2, 4, 0, 0), Assert.Single(await reader.GetObjectsAsync(Connector, None)));
        Assert.True(await reader.TryAdvanceCursorAsync(Connector, "account", T1, T2, LoadOutcome.Replayed, T2, None));
    }

    [Fact]
    public async Task Read_WhileAnotherConnectionHoldsWriteTransaction_DoesNotBlock()
    {
        var store = Open();
        await store.PutConnectorAsync(new ConnectorState(Connector, "files", ConnectorStatus.ACTIVE, [], T0, T0, null, null, null), None);
        await using var writer = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await writer.OpenAsync();
        await using var transaction = writer.BeginTransaction(deferred: false);
        using (var update = writer.CreateCommand())
        {
            update.Transaction = transaction;
            update.CommandText = "UPDATE connectors SET last_error = 'writing'";
            update.ExecuteNonQuery();
        }

        var read = await store.GetConnectorAsync(Connector, None).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Null(read!.LastError);
    }

    private static ObjectRunRecord ObjectRun(string runId, string objectName) =>
        new(runId, objectName, SyncMode.Incremental, T0, T1, RunStatus.SUCCEEDED, 1, 1, 0, 0, 1, 10, 2, 3, $"{runId}/{objectName}", null);

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void AssertConnector(ConnectorState expected, ConnectorState? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { SelectedObjects = [] }, actual with { SelectedObjects = [] });
        Assert.Equal(expected.SelectedObjects, actual.SelectedObjects);
        AssertExact(expected.CreatedAt, actual.CreatedAt);
        AssertExact(expected.UpdatedAt, actual.UpdatedAt);
        AssertExact(expected.LastGoodDataAt, actual.LastGoodDataAt);
    }

    private static void AssertRun(RunRecord expected, RunRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Objects = [] }, actual with { Objects = [] });
        Assert.Equal(expected.Objects, actual.Objects);
        AssertExact(expected.StartedAt, actual.StartedAt);
        AssertExact(expected.EndedAt, actual.EndedAt);
        foreach (var (e, a) in expected.Objects.Zip(actual.Objects))
        {
            AssertExact(e.WindowStart, a.WindowStart);
            AssertExact(e.WindowEnd, a.WindowEnd);
        }
    }

    /// <summary>DateTimeOffset equality ignores the offset; the store must keep it too.</summary>
    private static void AssertExact(DateTimeOffset? expected, DateTimeOffset? actual) =>
        Assert.Equal(expected?.ToString("O", CultureInfo.InvariantCulture), actual?.ToString("O", CultureInfo.InvariantCulture));
}
