using System.Data;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Embedded.Sqlite;

/// <summary>
/// The status store in one SQLite file: connectors, per-object cursors and totals, runs and their object
/// records (layout in <see cref="StatusSchema"/>). The file, its directory and the tables are created on first
/// use. The file is in WAL mode and every connection waits up to <see cref="BusyTimeout"/> for a lock, so other
/// processes (a status command) can read while a sync writes. Every value goes in as a parameter.
/// </summary>
public sealed partial class SqliteStatusStore : IStatusStore, ILoadClaims, IAsyncDisposable
{
    /// <summary>How long a statement waits for another connection's lock before failing.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(10);

    private const string TimestampFormat = "O";

    private const string ObjectRunColumns = """
        run_id, object_name, mode, window_start, window_end, status, rows_extracted, rows_inserted, rows_updated,
        rows_deleted, files, bytes, extract_ms, load_ms, manifest_key, error, full_resync, jobs_submitted_at, jobs,
        slices_done, slices_total
        """;

    private readonly bool _readOnly;
    private string _connectionString;
    private readonly SemaphoreSlim _initializeLock = new(1, 1);
    private volatile bool _initialized;

    /// <summary>A store on the file at <paramref name="databasePath"/>.</summary>
    /// <param name="databasePath">the status file, created with its directory on first use unless <paramref name="readOnly"/></param>
    /// <param name="readOnly">
    /// only read an existing file: nothing is created or written (reading commands, a read-only home); a missing file
    /// fails to open
    /// </param>
    public SqliteStatusStore(string databasePath, bool readOnly = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        DatabasePath = Path.GetFullPath(databasePath);
        _readOnly = readOnly;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString();
    }

    /// <summary>The full path of the status file.</summary>
    public string DatabasePath { get; }

    public async Task<ConnectorState?> GetConnectorAsync(string connectorId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, """
            SELECT connector_id, source, status, selected_objects, created_at, updated_at, last_good_data_at, last_error, last_run_id
            FROM connectors WHERE connector_id = $connector_id
            """);
        Add(command, "$connector_id", connectorId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new ConnectorState
        {
            ConnectorId = reader.GetString(0),
            Source = reader.GetString(1),
            Status = WireText.Parse<ConnectorStatus>(reader.GetString(2)),
            SelectedObjects = JsonSerializer.Deserialize(reader.GetString(3), StatusJsonContext.Default.StringArray) ?? [],
            CreatedAt = Time(reader, 4),
            UpdatedAt = Time(reader, 5),
            LastGoodDataAt = NullableTime(reader, 6),
            LastError = NullableString(reader, 7),
            LastRunId = NullableString(reader, 8),
        };
    }

    public async Task PutConnectorAsync(ConnectorState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, """
            INSERT INTO connectors (connector_id, source, status, selected_objects, created_at, updated_at, last_good_data_at, last_error, last_run_id)
            VALUES ($connector_id, $source, $status, $selected_objects, $created_at, $updated_at, $last_good_data_at, $last_error, $last_run_id)
            ON CONFLICT (connector_id) DO UPDATE SET
                source = excluded.source,
                status = excluded.status,
                selected_objects = excluded.selected_objects,
                created_at = excluded.created_at,
                updated_at = excluded.updated_at,
                last_good_data_at = excluded.last_good_data_at,
                last_error = excluded.last_error,
                last_run_id = excluded.last_run_id
            """);
        Add(command, "$connector_id", state.ConnectorId);
        Add(command, "$source", state.Source);
        Add(command, "$status", WireText.Of(state.Status));
        Add(command, "$selected_objects", JsonSerializer.Serialize([.. state.SelectedObjects], StatusJsonContext.Default.StringArray));
        Add(command, "$created_at", Text(state.CreatedAt));
        Add(command, "$updated_at", Text(state.UpdatedAt));
        Add(command, "$last_good_data_at", Text(state.LastGoodDataAt));
        Add(command, "$last_error", state.LastError);
        Add(command, "$last_run_id", state.LastRunId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The connector's objects that have a row (one is written by the first cursor advance), by name.</summary>
    public async Task<IReadOnlyList<ObjectState>> GetObjectsAsync(string connectorId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, """
            SELECT connector_id, object_name, cursor, last_loaded_at, total_inserted, total_updated, total_deleted, last_full_sync_at
            FROM objects WHERE connector_id = $connector_id ORDER BY object_name
            """);
        Add(command, "$connector_id", connectorId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var objects = new List<ObjectState>();
        while (await reader.ReadAsync(cancellationToken))
        {
            objects.Add(new ObjectState
            {
                ConnectorId = reader.GetString(0),
                ObjectName = reader.GetString(1),
                Cursor = NullableTime(reader, 2),
                LastLoadedAt = NullableTime(reader, 3),
                TotalInserted = reader.GetInt64(4),
                TotalUpdated = reader.GetInt64(5),
                TotalDeleted = reader.GetInt64(6),
                LastFullSyncAt = NullableTime(reader, 7),
            });
        }

        return objects;
    }

    /// <summary>
    /// One statement in an immediate transaction: with an expected cursor, an <c>UPDATE … WHERE cursor_utc_ticks =
    /// expected</c>; with none, an insert that, when the row exists, updates it only <c>WHERE cursor_utc_ticks IS
    /// NULL</c>. Cursors compare as instants (<see cref="DateTimeOffset"/> equality), whatever their offsets. A full
    /// sync sets <c>last_full_sync_at</c> to the new cursor; any other keeps it.
    /// </summary>
    public async Task<bool> TryAdvanceCursorAsync(string connectorId, string objectName, DateTimeOffset? expectedCursor, DateTimeOffset newCursor, LoadOutcome outcome, DateTimeOffset loadedAt, bool fullSync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentNullException.ThrowIfNull(objectName);
        ArgumentNullException.ThrowIfNull(outcome);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
        await using var command = Command(connection, expectedCursor is null
            ? """
              INSERT INTO objects (connector_id, object_name, cursor, cursor_utc_ticks, last_loaded_at, total_inserted, total_updated, total_deleted, last_full_sync_at)
              VALUES ($connector_id, $object_name, $cursor, $cursor_utc_ticks, $loaded_at, $inserted, $updated, $deleted, $full_sync_at)
              ON CONFLICT (connector_id, object_name) DO UPDATE SET
                  cursor = excluded.cursor,
                  last_full_sync_at = coalesce(excluded.last_full_sync_at, objects.last_full_sync_at),
                  cursor_utc_ticks = excluded.cursor_utc_ticks,
                  last_loaded_at = excluded.last_loaded_at,
                  total_inserted = objects.total_inserted + excluded.total_inserted,
                  total_updated = objects.total_updated + excluded.total_updated,
                  total_deleted = objects.total_deleted + excluded.total_deleted
              WHERE objects.cursor_utc_ticks IS NULL
              """
            : """
              UPDATE objects SET
                  cursor = $cursor,
                  cursor_utc_ticks = $cursor_utc_ticks,
                  last_full_sync_at = coalesce($full_sync_at, last_full_sync_at),
                  last_loaded_at = $loaded_at,
                  total_inserted = total_inserted + $inserted,
                  total_updated = total_updated + $updated,
                  total_deleted = total_deleted + $deleted
              WHERE connector_id = $connector_id AND object_name = $object_name AND cursor_utc_ticks = $expected_utc_ticks
              """);
        command.Transaction = transaction;
        Add(command, "$connector_id", connectorId);
        Add(command, "$object_name", objectName);
        Add(command, "$cursor", Text(newCursor));
        Add(command, "$cursor_utc_ticks", newCursor.UtcTicks);
        Add(command, "$loaded_at", Text(loadedAt));
        Add(command, "$inserted", outcome.Inserted);
        Add(command, "$updated", outcome.Updated);
        Add(command, "$deleted", outcome.Deleted);
        Add(command, "$full_sync_at", fullSync ? Text(newCursor) : null);
        if (expectedCursor is { } expected)
        {
            Add(command, "$expected_utc_ticks", expected.UtcTicks);
        }

        var changed = await command.ExecuteNonQueryAsync(cancellationToken);
        if (changed != 1)
        {
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Creates or replaces the run's own fields. <see cref="RunRecord.Objects"/> is ignored: object records
    /// are written only by <see cref="PutObjectRunAsync"/>, so a stale copy of a run never overwrites newer ones.</summary>
    public async Task PutRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, """
            INSERT INTO runs (connector_id, run_id, mode, status, started_at, started_at_utc_ticks, ended_at, error)
            VALUES ($connector_id, $run_id, $mode, $status, $started_at, $started_at_utc_ticks, $ended_at, $error)
            ON CONFLICT (connector_id, run_id) DO UPDATE SET
                mode = excluded.mode,
                status = excluded.status,
                started_at = excluded.started_at,
                started_at_utc_ticks = excluded.started_at_utc_ticks,
                ended_at = excluded.ended_at,
                error = excluded.error,
                progress = NULL
            """);
        Add(command, "$connector_id", run.ConnectorId);
        Add(command, "$run_id", run.RunId);
        Add(command, "$mode", WireText.Of(run.Mode));
        Add(command, "$status", WireText.Of(run.Status));
        Add(command, "$started_at", Text(run.StartedAt));
        Add(command, "$started_at_utc_ticks", run.StartedAt.UtcTicks);
        Add(command, "$ended_at", Text(run.EndedAt));
        Add(command, "$error", run.Error);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Records the run's progress (JSON in the run's row); a run without a row is left alone.</summary>
    public async Task PutRunProgressAsync(string connectorId, string runId, RunProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(progress);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "UPDATE runs SET progress = $progress WHERE connector_id = $connector_id AND run_id = $run_id");
        Add(command, "$progress", JsonSerializer.Serialize(progress, StatusJsonContext.Default.RunProgress));
        Add(command, "$connector_id", connectorId);
        Add(command, "$run_id", runId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Creates or replaces one object's record within a run. The run row need not exist yet.</summary>
    public async Task PutObjectRunAsync(string connectorId, ObjectRunRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentNullException.ThrowIfNull(record);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, $"""
            INSERT INTO object_runs (connector_id, {ObjectRunColumns})
            VALUES ($connector_id, $run_id, $object_name, $mode, $window_start, $window_end, $status, $rows_extracted, $rows_inserted,
                    $rows_updated, $rows_deleted, $files, $bytes, $extract_ms, $load_ms, $manifest_key, $error, $full_resync,
                    $jobs_submitted_at, $jobs, $slices_done, $slices_total)
            ON CONFLICT (connector_id, run_id, object_name) DO UPDATE SET
                mode = excluded.mode,
                window_start = excluded.window_start,
                window_end = excluded.window_end,
                status = excluded.status,
                rows_extracted = excluded.rows_extracted,
                rows_inserted = excluded.rows_inserted,
                rows_updated = excluded.rows_updated,
                rows_deleted = excluded.rows_deleted,
                files = excluded.files,
                bytes = excluded.bytes,
                extract_ms = excluded.extract_ms,
                load_ms = excluded.load_ms,
                manifest_key = excluded.manifest_key,
                error = excluded.error,
                full_resync = excluded.full_resync,
                jobs_submitted_at = excluded.jobs_submitted_at,
                jobs = excluded.jobs,
                slices_done = excluded.slices_done,
                slices_total = excluded.slices_total
            """);
        Add(command, "$connector_id", connectorId);
        Add(command, "$run_id", record.RunId);
        Add(command, "$object_name", record.ObjectName);
        Add(command, "$mode", WireText.Of(record.Mode));
        Add(command, "$window_start", Text(record.WindowStart));
        Add(command, "$window_end", Text(record.WindowEnd));
        Add(command, "$status", WireText.Of(record.Status));
        Add(command, "$rows_extracted", record.RowsExtracted);
        Add(command, "$rows_inserted", record.RowsInserted);
        Add(command, "$rows_updated", record.RowsUpdated);
        Add(command, "$rows_deleted", record.RowsDeleted);
        Add(command, "$files", record.Files);
        Add(command, "$bytes", record.Bytes);
        Add(command, "$extract_ms", record.ExtractMilliseconds);
        Add(command, "$load_ms", record.LoadMilliseconds);
        Add(command, "$manifest_key", record.ManifestKey);
        Add(command, "$error", record.Error);
        Add(command, "$full_resync", record.FullResync ? 1L : 0L);
        Add(command, "$jobs_submitted_at", Text(record.JobsSubmittedAt));
        Add(command, "$jobs", record.Jobs);
        Add(command, "$slices_done", (long)record.SlicesDone);
        Add(command, "$slices_total", (long)record.SlicesTotal);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Adds or takes away one slice's job ids in the object's record: read and written in one serializable transaction, so no other slice's ids are lost.</summary>
    public async Task PutSliceJobsAsync(string connectorId, string runId, string objectName, string jobs, bool running, int? slicesDone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(objectName);
        ArgumentNullException.ThrowIfNull(jobs);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
        const string Where = "WHERE connector_id = $connector_id AND run_id = $run_id AND object_name = $object_name";
        string? listed;
        await using (var read = Command(connection, $"SELECT jobs FROM object_runs {Where}"))
        {
            read.Transaction = transaction;
            Add(read, "$connector_id", connectorId);
            Add(read, "$run_id", runId);
            Add(read, "$object_name", objectName);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return;
            }

            listed = NullableString(reader, 0);
        }

        await using var write = Command(connection, $"UPDATE object_runs SET jobs = $jobs, slices_done = coalesce($slices_done, slices_done) {Where}");
        write.Transaction = transaction;
        Add(write, "$connector_id", connectorId);
        Add(write, "$run_id", runId);
        Add(write, "$object_name", objectName);
        Add(write, "$jobs", ObjectRuns.WithSliceJobs(listed, jobs, running));
        Add(write, "$slices_done", slicesDone is { } done ? (long)done : null);
        await write.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The run with its object records ordered by object name (ordinal), or null.</summary>
    public async Task<RunRecord?> GetRunAsync(string connectorId, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentNullException.ThrowIfNull(runId);
        await using var connection = await OpenAsync(cancellationToken);
        var runs = await ReadRunsAsync(
            connection,
            "SELECT connector_id, run_id, mode, status, started_at, ended_at, error, progress FROM runs WHERE connector_id = $connector_id AND run_id = $run_id",
            $"""
            SELECT {ObjectRunColumns} FROM object_runs
            WHERE connector_id = $connector_id AND run_id = $run_id
            ORDER BY object_name
            """,
            command =>
            {
                Add(command, "$connector_id", connectorId);
                Add(command, "$run_id", runId);
            },
            cancellationToken);
        return runs.Count == 0 ? null : runs[0];
    }

    /// <summary>
    /// At most <paramref name="limit"/> runs, newest first: by start instant, then by run id, both descending.
    /// Each run's object records are ordered by object name (ordinal).
    /// </summary>
    public async Task<IReadOnlyList<RunRecord>> ListRunsAsync(string connectorId, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return await ReadRunsNewestFirstAsync(connectorId, limit, after: null, cancellationToken);
    }

    /// <summary>
    /// A page of runs as <see cref="ListRunsAsync"/> lists them, keyset-paged on (start instant, run id) after the
    /// token's position; one run more than the page is read to know whether another page follows.
    /// </summary>
    public async Task<RunPage> ListRunsPageAsync(string connectorId, int limit, string? pageToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var after = pageToken is null ? null : RunPageToken.Read(connectorId, pageToken);
        var runs = await ReadRunsNewestFirstAsync(connectorId, limit + 1, after, cancellationToken);
        if (runs.Count <= limit)
        {
            return new RunPage(runs, null);
        }

        runs.RemoveAt(limit);
        return new RunPage(runs, RunPageToken.After(runs[^1]));
    }

    private async Task<List<RunRecord>> ReadRunsNewestFirstAsync(string connectorId, int limit, RunPosition? after, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        const string Runs = """
            SELECT connector_id, run_id, mode, status, started_at, ended_at, error, progress FROM runs
            WHERE connector_id = $connector_id
            """;
        const string AfterPosition = """

              AND (started_at_utc_ticks < $after_utc_ticks OR (started_at_utc_ticks = $after_utc_ticks AND run_id < $after_run_id))
            """;
        const string NewestFirst = """

            ORDER BY started_at_utc_ticks DESC, run_id DESC
            LIMIT $limit
            """;
        var newest = Runs + (after is null ? "" : AfterPosition) + NewestFirst;
        return await ReadRunsAsync(
            connection,
            newest,
            $"""
            SELECT {ObjectRunColumns} FROM object_runs
            WHERE connector_id = $connector_id AND run_id IN (SELECT run_id FROM ({newest}))
            ORDER BY run_id, object_name
            """,
            command =>
            {
                Add(command, "$connector_id", connectorId);
                Add(command, "$limit", limit);
                if (after is not null)
                {
                    Add(command, "$after_utc_ticks", after.StartedAt.UtcTicks);
                    Add(command, "$after_run_id", after.RunId);
                }
            },
            cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; release them so the file can be moved or deleted.
        await using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _initializeLock.Dispose();
    }

    public async Task<LoadClaim> TryClaimAsync(string connectorId, string loadId, string claimant, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentNullException.ThrowIfNull(loadId);
        ArgumentException.ThrowIfNullOrEmpty(claimant);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        var leaseUntil = now + lease;
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, """
            INSERT INTO load_claims (connector_id, load_id, state, holder, lease_until, lease_until_utc_ticks, attempts, updated_at)
            VALUES ($connector_id, $load_id, 'LOADING', $holder, $lease_until, $lease_until_utc_ticks, 1, $now)
            ON CONFLICT (connector_id, load_id) DO UPDATE SET
                state = 'LOADING',
                holder = excluded.holder,
                lease_until = excluded.lease_until,
                lease_until_utc_ticks = excluded.lease_until_utc_ticks,
                attempts = load_claims.attempts + 1,
                updated_at = excluded.updated_at
            WHERE load_claims.state = 'FAILED'
               OR (load_claims.state = 'LOADING' AND (load_claims.lease_until_utc_ticks <= $now_utc_ticks OR load_claims.holder = excluded.holder))
            """);
        Add(command, "$connector_id", connectorId);
        Add(command, "$load_id", loadId);
        Add(command, "$holder", claimant);
        Add(command, "$lease_until", Text(leaseUntil));
        Add(command, "$lease_until_utc_ticks", leaseUntil.UtcTicks);
        Add(command, "$now", Text(now));
        Add(command, "$now_utc_ticks", now.UtcTicks);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
        {
            return new LoadClaim(LoadClaimResult.Claimed, Holder: claimant, LeaseExpiresAt: leaseUntil);
        }

        await using var read = Command(connection, """
            SELECT state, holder, lease_until, outcome FROM load_claims WHERE connector_id = $connector_id AND load_id = $load_id
            """);
        Add(read, "$connector_id", connectorId);
        Add(read, "$load_id", loadId);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException($"load claim {connectorId} {loadId} was refused but is not there");
        }

        return reader.GetString(0) == "LOADED"
            ? new LoadClaim(LoadClaimResult.AlreadyLoaded, Outcome: JsonSerializer.Deserialize(reader.GetString(3), StatusJsonContext.Default.LoadOutcome))
            : new LoadClaim(LoadClaimResult.HeldByAnother, Holder: reader.GetString(1), LeaseExpiresAt: NullableTime(reader, 2));
    }

    public async Task MarkLoadedAsync(string connectorId, string loadId, string claimant, LoadOutcome outcome, DateTimeOffset loadedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, """
            INSERT INTO load_claims (connector_id, load_id, state, holder, attempts, outcome, updated_at)
            VALUES ($connector_id, $load_id, 'LOADED', $holder, 1, $outcome, $now)
            ON CONFLICT (connector_id, load_id) DO UPDATE SET
                state = 'LOADED', holder = excluded.holder, lease_until = NULL, lease_until_utc_ticks = NULL,
                outcome = excluded.outcome, error = NULL, updated_at = excluded.updated_at
            WHERE load_claims.state <> 'LOADED'
            """);
        Add(command, "$connector_id", connectorId);
        Add(command, "$load_id", loadId);
        Add(command, "$holder", claimant);
        Add(command, "$outcome", JsonSerializer.Serialize(outcome, StatusJsonContext.Default.LoadOutcome));
        Add(command, "$now", Text(loadedAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ReleaseAsync(string connectorId, string loadId, string claimant, string error, DateTimeOffset failedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, """
            UPDATE load_claims SET state = 'FAILED', lease_until = NULL, lease_until_utc_ticks = NULL, error = $error, updated_at = $now
            WHERE connector_id = $connector_id AND load_id = $load_id AND state = 'LOADING' AND holder = $holder
            """);
        Add(command, "$connector_id", connectorId);
        Add(command, "$load_id", loadId);
        Add(command, "$holder", claimant);
        Add(command, "$error", error);
        Add(command, "$now", Text(failedAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<RunRecord>> ReadRunsAsync(
        SqliteConnection connection,
        string runsSql,
        string objectRunsSql,
        Action<SqliteCommand> bind,
        CancellationToken cancellationToken)
    {
        var runs = new List<RunRecord>();
        await using (var command = Command(connection, runsSql))
        {
            bind(command);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                runs.Add(new RunRecord
                {
                    RunId = reader.GetString(1),
                    ConnectorId = reader.GetString(0),
                    Mode = WireText.Parse<RunMode>(reader.GetString(2)),
                    Status = WireText.Parse<RunStatus>(reader.GetString(3)),
                    StartedAt = Time(reader, 4),
                    EndedAt = NullableTime(reader, 5),
                    Error = NullableString(reader, 6),
                    Objects = [],
                    Progress = NullableString(reader, 7) is { } progress ? JsonSerializer.Deserialize(progress, StatusJsonContext.Default.RunProgress) : null,
                });
            }
        }

        if (runs.Count == 0)
        {
            return runs;
        }

        var objects = new Dictionary<string, List<ObjectRunRecord>>(StringComparer.Ordinal);
        await using (var command = Command(connection, objectRunsSql))
        {
            bind(command);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var record = ReadObjectRun(reader);
                if (!objects.TryGetValue(record.RunId, out var list))
                {
                    objects[record.RunId] = list = [];
                }

                list.Add(record);
            }
        }

        for (var i = 0; i < runs.Count; i++)
        {
            if (objects.TryGetValue(runs[i].RunId, out var list))
            {
                runs[i] = runs[i] with { Objects = list };
            }
        }

        return runs;
    }

    private static ObjectRunRecord ReadObjectRun(SqliteDataReader reader) => new ObjectRunRecord
    {
        RunId = reader.GetString(0),
        ObjectName = reader.GetString(1),
        Mode = WireText.Parse<SyncMode>(reader.GetString(2)),
        WindowStart = NullableTime(reader, 3),
        WindowEnd = Time(reader, 4),
        Status = WireText.Parse<RunStatus>(reader.GetString(5)),
        RowsExtracted = reader.GetInt64(6),
        RowsInserted = reader.GetInt64(7),
        RowsUpdated = reader.GetInt64(8),
        RowsDeleted = reader.GetInt64(9),
        Files = reader.GetInt32(10),
        Bytes = reader.GetInt64(11),
        ExtractMilliseconds = reader.GetInt64(12),
        LoadMilliseconds = reader.GetInt64(13),
        ManifestKey = NullableString(reader, 14),
        Error = NullableString(reader, 15),
        FullResync = reader.GetInt64(16) != 0,
        JobsSubmittedAt = NullableTime(reader, 17),
        Jobs = NullableString(reader, 18),
        SlicesDone = reader.GetInt32(19),
        SlicesTotal = reader.GetInt32(20),
    };

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_initialized)
        {
            await InitializeAsync(cancellationToken);
        }

        return await OpenConnectionAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragma = Command(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(long)BusyTimeout.TotalMilliseconds}"));
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates the directory, the file and the tables, and switches the file to WAL; once per instance.</summary>
    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _initializeLock.WaitAsync(cancellationToken);
        try
        {
            if (_initialized)
            {
                return;
            }

            if (_readOnly)
            {
                await CheckReadableAsync(cancellationToken);
                _initialized = true;
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
            await using var connection = await OpenConnectionAsync(cancellationToken);
            await using (var wal = Command(connection, "PRAGMA journal_mode = WAL"))
            {
                var mode = (string?)await wal.ExecuteScalarAsync(cancellationToken);
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"status file {DatabasePath} cannot use WAL mode (journal mode is '{mode}')");
                }
            }

            // An immediate transaction, so two processes opening a new file do not both create the tables.
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
            long version;
            await using (var read = Command(connection, "PRAGMA user_version"))
            {
                read.Transaction = transaction;
                version = (long)(await read.ExecuteScalarAsync(cancellationToken))!;
            }

            if (version > StatusSchema.Version)
            {
                throw new InvalidOperationException($"status file {DatabasePath} has schema version {version}; this build reads version {StatusSchema.Version}. Use a newer build.");
            }

            if (version < StatusSchema.Version)
            {
                await using var create = Command(connection, StatusSchema.UpgradeFrom(version) + string.Create(CultureInfo.InvariantCulture, $"\nPRAGMA user_version = {StatusSchema.Version};"));
                create.Transaction = transaction;
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            _initialized = true;
        }
        finally
        {
            _initializeLock.Release();
        }
    }

    /// <summary>
    /// A read-only store writes nothing: it only checks that the file is a status file this build reads. A WAL file needs
    /// its shared-memory file to be read; in a directory that cannot be written (a read-only home, where no writer can be
    /// either) the file is read as immutable instead.
    /// </summary>
    private async Task CheckReadableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CheckVersionAsync(cancellationToken);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 8 or 14 && File.Exists(DatabasePath))
        {
            var immutable = new SqliteConnectionStringBuilder(_connectionString)
            {
                DataSource = new Uri(DatabasePath).AbsoluteUri + "?immutable=1",
            };
            _connectionString = immutable.ToString();
            SqliteConnection.ClearAllPools();
            await CheckVersionAsync(cancellationToken);
        }
    }

    private async Task CheckVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var read = Command(connection, "PRAGMA user_version");
        var version = (long)(await read.ExecuteScalarAsync(cancellationToken))!;
        if (version != StatusSchema.Version)
        {
            throw new InvalidOperationException(version > StatusSchema.Version
                ? $"status file {DatabasePath} has schema version {version}; this build reads version {StatusSchema.Version}. Use a newer build."
                : $"status file {DatabasePath} has schema version {version}; run 'sync' once to upgrade it to version {StatusSchema.Version}");
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private static void Add(SqliteCommand command, string name, object? value) =>
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);

    private static string Text(DateTimeOffset value) => value.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    private static string? Text(DateTimeOffset? value) => value is { } v ? Text(v) : null;

    private static DateTimeOffset Time(SqliteDataReader reader, int ordinal) =>
        DateTimeOffset.ParseExact(reader.GetString(ordinal), TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.None);

    private static DateTimeOffset? NullableTime(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Time(reader, ordinal);

    private static string? NullableString(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
