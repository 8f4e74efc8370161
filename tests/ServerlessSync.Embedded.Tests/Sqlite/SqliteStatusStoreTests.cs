using System.Globalization;
using Microsoft.Data.Sqlite;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Embedded.Sqlite;
using ServerlessSync.Testing;
using static ServerlessSync.Testing.StatusSamples;

namespace ServerlessSync.Embedded.Tests.Sqlite;

/// <summary>What only the SQLite store does: the file itself, and times given back in the offset written.
/// What every status store does is in <see cref="SqliteStatusStoreContractTests"/>.</summary>
public sealed class SqliteStatusStoreTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly StatusFile _file = new();

    private string DatabasePath => _file.DatabasePath;

    public Task InitializeAsync() => _file.InitializeAsync();

    public Task DisposeAsync() => _file.DisposeAsync();

    private SqliteStatusStore Open() => _file.Open();

    [Fact]
    public async Task FirstUse_MissingDirectory_CreatesFileTablesWalAndVersion()
    {
        var store = Open();
        Assert.False(File.Exists(DatabasePath));

        Assert.Null(await store.GetConnectorAsync(Connector, None));

        Assert.True(File.Exists(DatabasePath));
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        Assert.Equal(6L, Scalar(connection, "PRAGMA user_version"));
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode"));
        Assert.Equal(
            "connectors,load_claims,object_runs,objects,run_locks,runs",
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
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Open_FileFromOlderVersion_UpgradesKeepingItsRows(int version)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        string[] scripts = [StatusSchema.CreateVersion1, StatusSchema.UpgradeToVersion2, StatusSchema.UpgradeToVersion3];
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            Scalar(connection, string.Concat(scripts.Take(version)) + $"PRAGMA user_version = {version};");
            Scalar(connection, $"INSERT INTO runs VALUES ('{Connector}', 'run-old', 'HISTORICAL', 'SUCCEEDED', '2025-03-01T10:00:00.0000000+00:00', {T1.UtcTicks}, NULL, NULL)");
            Scalar(connection, $"INSERT INTO objects VALUES ('{Connector}', 'account', '{T1:O}', {T1.UtcTicks}, NULL, 4, 0, 0)");
            Scalar(connection, $"INSERT INTO object_runs VALUES ('{Connector}', 'run-old', 'account', 'Historical', NULL, '2025-03-01T10:00:00.0000000+00:00', 'SUCCEEDED', 4, 4, 0, 0, 1, 9, 1, 1, NULL, NULL)");
        }

        var store = Open();
        var locked = await store.TryAcquireAsync(Connector, "run-new", T1, TimeSpan.FromHours(1), None);
        var claimed = await store.TryClaimAsync(Connector, "load-1", "loader", T1, TimeSpan.FromHours(1), None);

        Assert.True(locked.Acquired);
        Assert.Equal(LoadClaimResult.Claimed, claimed.Result);
        var oldRun = Assert.Single(await store.ListRunsAsync(Connector, 10, None));
        Assert.Equal("run-old", oldRun.RunId);
        Assert.False(Assert.Single(oldRun.Objects).FullResync);
        Assert.Equal((null, null, 0, 0), (oldRun.Objects[0].JobsSubmittedAt, oldRun.Objects[0].Jobs, oldRun.Objects[0].SlicesDone, oldRun.Objects[0].SlicesTotal));
        var oldObject = Assert.Single(await store.GetObjectsAsync(Connector, None));
        Assert.Equal((T1, 4L, (DateTimeOffset?)null), (oldObject.Cursor!.Value, oldObject.TotalInserted, oldObject.LastFullSyncAt));
        Assert.True(await store.TryAdvanceCursorAsync(Connector, "account", T1, T2, LoadOutcome.Replayed, T2, fullSync: true, None));
        Assert.Equal(T2, Assert.Single(await store.GetObjectsAsync(Connector, None)).LastFullSyncAt);
        await using var check = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await check.OpenAsync();
        Assert.Equal(6L, Scalar(check, "PRAGMA user_version"));
    }

    [Fact]
    public async Task EveryTime_ReadBack_InTheOffsetWritten()
    {
        var times = await RoundTripEveryTimeAsync(Open());

        // DateTimeOffset equality ignores the offset: compare the round-trip text, which holds both.
        Assert.All(times, t => Assert.Equal($"{t.Field} {t.Written.ToString("O", CultureInfo.InvariantCulture)}", $"{t.Field} {t.Read?.ToString("O", CultureInfo.InvariantCulture)}"));
    }

    [Fact]
    public async Task Reopen_SameFile_SeesSameState()
    {
        var connector = StatusBuilders.Connector(source: "files", selectedObjects: ["account"], updatedAt: T1, lastGoodDataAt: T2, lastRunId: "run-1");
        var run = StatusBuilders.Run(runId: "run-1", mode: RunMode.Historical, endedAt: T1, objects: [ObjectRun("run-1", "account")]);
        var writer = Open();
        await writer.PutConnectorAsync(connector, None);
        await writer.PutRunAsync(run, None);
        await writer.PutObjectRunAsync(Connector, run.Objects[0], None);
        await writer.TryAdvanceCursorAsync(Connector, "account", null, T1, new LoadOutcome(4, 0, 0, 0, false), T2, fullSync: false, None);
        await _file.CloseAsync(writer);

        var reader = Open();

        StatusAssert.Connector(connector, await reader.GetConnectorAsync(Connector, None));
        StatusAssert.Run(run, Assert.Single(await reader.ListRunsAsync(Connector, 5, None)));
        Assert.Equal(StatusBuilders.Object(objectName: "account", cursor: T1, lastLoadedAt: T2, totalInserted: 4), Assert.Single(await reader.GetObjectsAsync(Connector, None)));
        Assert.True(await reader.TryAdvanceCursorAsync(Connector, "account", T1, T2, LoadOutcome.Replayed, T2, fullSync: false, None));
    }

    [Fact]
    public async Task Read_WhileAnotherConnectionHoldsWriteTransaction_DoesNotBlock()
    {
        var store = Open();
        await store.PutConnectorAsync(StatusBuilders.Connector(source: "files"), None);
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

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
