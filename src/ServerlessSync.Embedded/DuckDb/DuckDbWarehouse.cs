using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Sql;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Embedded.DuckDb;

/// <summary>
/// The warehouse as one DuckDB file: a table per object in <c>schemaName</c>, merged by <c>id</c>, with
/// soft deletes and a ledger of loaded manifests. The file and its directory are created on first use.
/// Each call works on its own connection to the one database instance the warehouse keeps open, so reads
/// stream alongside a load (DuckDB's MVCC). Loads run one at a time: each already uses every core, and
/// DuckDB would fail concurrent writers to one table with a conflict rather than queue them.
/// A load completes within its submission: <see cref="SubmitLoadAsync"/> answers <see cref="LoadSubmission.Completed"/>.
/// </summary>
public sealed partial class DuckDbWarehouse : IWarehouse, IAsyncDisposable, IDisposable
{
    private readonly string _connectionString;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _oneLoadAtATime = new(1, 1);
    private DuckDBConnection? _keepAlive;
    private bool _disposed;

    public DuckDbWarehouse(string databasePath, string schemaName = "zuora")
        : this(databasePath, schemaName, readOnly: false)
    {
    }

    /// <summary>
    /// A warehouse that only reads the existing file (<c>verify</c>): DuckDB's read-only access, which creates nothing and
    /// shares the file with other readers but not with a writer.
    /// </summary>
    /// <param name="databasePath">the DuckDB file, which must exist</param>
    /// <param name="schemaName">the destination schema</param>
    public static DuckDbWarehouse OpenReadOnly(string databasePath, string schemaName) => new(databasePath, schemaName, readOnly: true);

    private DuckDbWarehouse(string databasePath, string schemaName, bool readOnly)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentException.ThrowIfNullOrWhiteSpace(schemaName);
        DatabasePath = Path.GetFullPath(databasePath);
        SchemaName = schemaName;
        ReadOnly = readOnly;
        var builder = new DuckDBConnectionStringBuilder { DataSource = DatabasePath };
        if (readOnly)
        {
            builder["access_mode"] = "READ_ONLY";
        }

        _connectionString = builder.ConnectionString;
    }

    /// <summary>Whether this warehouse only reads (<see cref="OpenReadOnly"/>).</summary>
    public bool ReadOnly { get; }

    public string DatabasePath { get; }

    public string SchemaName { get; }

    /// <summary>
    /// The most memory DuckDB may use before it spills to disk (default 160 MiB). DuckDB's process memory runs well past
    /// it (row groups being written, its allocator's caches): replaying a 10M-row sync's loads peaked at about 290 MiB over
    /// the process's own with 160 MiB, 380 MiB with 192 MiB and 460 MiB with 256 MiB, at the same CPU time; at 128 MiB the
    /// largest load spilled and took 40% more CPU.
    /// </summary>
    public long MemoryLimitBytes { get; init; } = 160L * 1024 * 1024;

    /// <summary>
    /// DuckDB's worker threads (default 1). A sync extracts the next object while one loads, so a load's second thread
    /// only competes for the core the extraction holds; and each thread of a load into a table holds row groups of its
    /// own, so that two threads under the same limit spilled and took twice the CPU.
    /// </summary>
    public int Threads { get; init; } = 1;

    /// <summary>
    /// How much memory a bulk free may leave in DuckDB's allocator before it is handed back to the system (default 8 MiB;
    /// DuckDB's own default is far larger). Freed row groups otherwise stay in the process: a 10M-row sync peaked at
    /// 627 MB with DuckDB's default and at 359 MB with 8 MiB, for about 2 s more system CPU (README, Benchmarks).
    /// </summary>
    public long AllocatorReturnBytes { get; init; } = 8L * 1024 * 1024;

    /// <summary>The clock a load's duration is measured with.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Runs the load's transaction at once; <paramref name="submissionName"/> names nothing here, as no event follows.</summary>
    public async Task<LoadSubmission> SubmitLoadAsync(StagedManifest manifest, IReadOnlyList<string> partLocations, DateTimeOffset syncedAt, string submissionName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(submissionName);
        var started = Clock.GetTimestamp();
        var outcome = await RunLoadAsync(manifest, partLocations, syncedAt, cancellationToken);
        return LoadSubmission.Completed(new LoadCompletion(outcome, (long)Clock.GetElapsedTime(started).TotalMilliseconds));
    }

    /// <summary>DuckDB never answers a load running, so there is no statement whose completion could be read.</summary>
    public Task<LoadCompletion> ReadCompletionAsync(StagedManifest manifest, IReadOnlyList<string> partLocations, string statementId, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"DuckDB completes every load when it is submitted: there is no running load statement '{statementId}' to read");

    private async Task<LoadOutcome> RunLoadAsync(StagedManifest manifest, IReadOnlyList<string> partLocations, DateTimeOffset syncedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var schema = manifest.SchemaForLoad(partLocations, LoadSql.LedgerTable);

        await using var connection = await OpenAsync(cancellationToken);
        await _oneLoadAtATime.WaitAsync(cancellationToken);
        try
        {
            // Disposing the transaction unfinished (any exception below) rolls it back; closing the connection would too.
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var outcome = await LoadInTransactionAsync(connection, manifest, schema, partLocations, syncedAt, cancellationToken);
            if (outcome.AlreadyLoaded)
            {
                await transaction.RollbackAsync(cancellationToken);
            }
            else
            {
                await transaction.CommitAsync(cancellationToken);
            }

            return outcome;
        }
        catch (Exception e) when (e is not (SchemaChangeException or DuckDbLoadException or OperationCanceledException))
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException($"load of {Describe(manifest)} was cancelled and rolled back", e, cancellationToken);
            }

            throw new DuckDbLoadException($"load of {Describe(manifest)} failed and was rolled back: {e.Message}", manifest.ObjectName, innerException: e);
        }
        finally
        {
            _oneLoadAtATime.Release();
        }
    }

    public async Task<ObjectSchema?> DescribeAsync(string objectName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(objectName);
        await using var connection = await OpenAsync(cancellationToken);
        return SchemaEvolution.Describe(DuckDbDialect.Instance, SchemaName, objectName, await ReadColumnsAsync(connection, objectName, cancellationToken));
    }

    /// <summary>A page of the live rows in <c>id</c> order (byte order of the UTF-8 text); empty when the table does not exist.</summary>
    public async Task<LiveRowsPage> ReadLiveRowsAsync(ObjectSchema schema, string? afterId, int pageSize, CancellationToken cancellationToken)
    {
        var idIndex = WarehouseReads.IdIndexForPaging(schema, pageSize);

        await using var connection = await OpenAsync(cancellationToken);
        // Asked once, on the first page: a table that had a page goes on existing.
        if (afterId is null && (await ReadColumnsAsync(connection, schema.Name, cancellationToken)).Count == 0)
        {
            return LiveRowsPage.Empty;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = LoadSql.SelectLivePage(DuckDbDialect.Instance, SchemaName, schema.Name, schema.Columns, afterId, pageSize);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var kinds = schema.Columns.Select(c => c.Type.Kind).ToArray();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var values = new object?[kinds.Length];
            for (var i = 0; i < kinds.Length; i++)
            {
                values[i] = reader.IsDBNull(i) ? null : ReadValue(reader, i, kinds[i]);
            }

            rows.Add(values);
        }

        return WarehouseReads.Page(rows, idIndex, pageSize);
    }

    public void Dispose()
    {
        DuckDBConnection? keepAlive;
        lock (_gate)
        {
            _disposed = true;
            keepAlive = _keepAlive;
            _keepAlive = null;
        }

        // _oneLoadAtATime is left undisposed on purpose: a load still running releases it, and a
        // SemaphoreSlim whose wait handle was never used holds nothing to free.
        keepAlive?.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Runs Core's load statements (<see cref="LoadSql.Load"/>) one by one, after schema evolution
    /// (<see cref="SchemaEvolution.Plan"/>), checking what was staged against the manifest before the merge.
    /// </summary>
    private async Task<LoadOutcome> LoadInTransactionAsync(DuckDBConnection connection, StagedManifest manifest, ObjectSchema schema, IReadOnlyList<string> partLocations, DateTimeOffset syncedAt, CancellationToken cancellationToken)
    {
        var dialect = DuckDbDialect.Instance;
        await ExecuteAsync(connection, LoadSql.CreateSchema(SchemaName), cancellationToken);
        await ExecuteAsync(connection, LoadSql.CreateLedger(dialect, SchemaName), cancellationToken);

        // A replay is told before the parts are read: reading them is most of a load's time, and they may be gone.
        if (await ScalarInt64Async(connection, LoadSql.FindLoad(dialect, SchemaName, manifest.LoadId), cancellationToken) > 0)
        {
            return LoadOutcome.Replayed;
        }

        // The schema exists by now: it was created above, with the ledger the replay check reads.
        var existing = await ReadColumnsAsync(connection, schema.Name, cancellationToken);
        var plan = SchemaEvolution.Plan(dialect, SchemaName, schema, existing, schemaExists: true);
        foreach (var sql in plan.Statements)
        {
            await ExecuteAsync(connection, sql, cancellationToken);
        }

        // A table created by this transaction is empty: the parts go straight into it, without the merge's classifying join.
        // Otherwise updated rows are replaced (DuckDbDialect.ReplacesUpdatedRows), carrying the columns the batch lacks.
        var load = LoadSql.Load(dialect, SchemaName, manifest, plan.Columns, partLocations, syncedAt, targetIsEmpty: existing.Count == 0, plan.KeptColumns);
        LoadOutcome? outcome = null;
        for (var i = 0; i < load.Sqls.Count; i++)
        {
            if (i == load.CountIndex)
            {
                outcome = await ReadOutcomeAsync(connection, load.Sqls[i], cancellationToken);
            }
            else if (i == load.CopyIndex)
            {
                await StagePartsAsync(connection, manifest, schema, partLocations, load.Sqls[i], cancellationToken);
            }
            else
            {
                await ExecuteAsync(connection, load.Sqls[i], cancellationToken);
            }

            if (i == load.StagedIndex)
            {
                await CheckStagedAsync(connection, manifest, schema, partLocations, load.StagedRows, cancellationToken);
            }
        }

        return outcome ?? throw new InvalidOperationException($"the load of {manifest.LoadId} returned no counts");
    }

    private static async Task<LoadOutcome> ReadOutcomeAsync(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return LoadSql.Outcome([.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetInt64)]);
    }

    private async Task StagePartsAsync(DuckDBConnection connection, StagedManifest manifest, ObjectSchema schema, IReadOnlyList<string> partLocations, string sql, CancellationToken cancellationToken)
    {
        try
        {
            await ExecuteAsync(connection, sql, cancellationToken);
        }
        catch (DuckDBException e) when (!cancellationToken.IsCancellationRequested)
        {
            if (e.ErrorType == DuckDBErrorType.Constraint && partLocations.Count > 0)
            {
                // Parts read straight into the target: a row without _deleted broke its NOT NULL. Told as the check would
                // tell it, on a connection of its own (this one's transaction is aborted).
                await using var probe = await OpenAsync(cancellationToken);
                if (await FindMismatchedPartAsync(probe, manifest, schema, partLocations, cancellationToken) is { } explained)
                {
                    throw explained;
                }
            }

            throw ReadFailure(manifest, partLocations, e, await FindUnreadablePartAsync(schema, partLocations, manifest.NullMarker, manifest.Codec, e, cancellationToken));
        }
    }

    /// <summary>Checks the staged rows against the manifest: as many, and each with id and _deleted.</summary>
    private async Task CheckStagedAsync(DuckDBConnection connection, StagedManifest manifest, ObjectSchema schema, IReadOnlyList<string> partLocations, string stagedRows, CancellationToken cancellationToken)
    {
        long rows;
        long incomplete;
        await using (var command = Command(connection, DuckDbSql.CheckStaged(stagedRows)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            rows = reader.GetInt64(0);
            incomplete = reader.GetInt64(1);
        }

        if (rows != manifest.Rows || incomplete > 0)
        {
            throw await ExplainStagedMismatchAsync(connection, manifest, schema, partLocations, rows, incomplete, cancellationToken);
        }
    }

    /// <summary>Names the part whose row count differs from the manifest, or that holds rows without id or _deleted.</summary>
    private async Task<DuckDbLoadException> ExplainStagedMismatchAsync(DuckDBConnection connection, StagedManifest manifest, ObjectSchema schema, IReadOnlyList<string> partLocations, long rows, long incomplete, CancellationToken cancellationToken) =>
        await FindMismatchedPartAsync(connection, manifest, schema, partLocations, cancellationToken)
            ?? new DuckDbLoadException($"load of {Describe(manifest)} failed: the parts hold {rows} rows ({incomplete} without {ObjectSchema.PrimaryKey} or {ObjectSchema.DeletedColumn}) but the manifest says {manifest.Rows}", manifest.ObjectName);

    /// <summary>The failure of the first part holding rows without id or _deleted, or other than the manifest's count of rows; null when none does.</summary>
    private async Task<DuckDbLoadException?> FindMismatchedPartAsync(DuckDBConnection connection, StagedManifest manifest, ObjectSchema schema, IReadOnlyList<string> partLocations, CancellationToken cancellationToken)
    {
        var perFile = new Dictionary<string, (long Rows, long Incomplete)>(StringComparer.Ordinal);
        await using (var command = Command(connection, DuckDbSql.CountPerFile(schema.Columns, partLocations, manifest.NullMarker, manifest.Codec)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                perFile[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2));
            }
        }

        for (var i = 0; i < partLocations.Count; i++)
        {
            var found = perFile.GetValueOrDefault(partLocations[i]);
            if (found.Incomplete > 0)
            {
                return new DuckDbLoadException($"load of {Describe(manifest)} failed in {partLocations[i]}: {found.Incomplete} rows have a NULL {ObjectSchema.PrimaryKey} or {ObjectSchema.DeletedColumn}", manifest.ObjectName, partLocations[i]);
            }

            if (found.Rows != manifest.Parts[i].Rows)
            {
                return new DuckDbLoadException($"load of {Describe(manifest)} failed in {partLocations[i]}: it holds {found.Rows} rows but the manifest says {manifest.Parts[i].Rows}", manifest.ObjectName, partLocations[i]);
            }
        }

        return null;
    }

    /// <summary>
    /// Some read errors (a corrupt gzip stream) do not say which file they came from. Reads each part on its
    /// own, on a separate connection (the load's transaction is aborted by now), and returns the first one
    /// that fails; null when the error names its file already or no single part fails alone.
    /// </summary>
    private async Task<string?> FindUnreadablePartAsync(ObjectSchema schema, IReadOnlyList<string> partLocations, string nullMarker, StagingCodec codec, DuckDBException e, CancellationToken cancellationToken)
    {
        if (partLocations.Count < 2 || partLocations.Any(p => e.Message.Contains(p, StringComparison.Ordinal)))
        {
            return null;
        }

        await using var probe = await OpenAsync(cancellationToken);
        foreach (var part in partLocations)
        {
            try
            {
                await ExecuteAsync(probe, DuckDbSql.CountPerFile(schema.Columns, [part], nullMarker, codec), cancellationToken);
            }
            catch (DuckDBException)
            {
                return part;
            }
        }

        return null;
    }

    private DuckDbLoadException ReadFailure(StagedManifest manifest, IReadOnlyList<string> partLocations, DuckDBException e, string? unreadablePart)
    {
        var message = e.Message;
        // DuckDB ends a CSV error with its options, "file = <path>" among them; the quoted line before it is data.
        var file = FileLine().Matches(message).Select(m => m.Groups[1].Value.TrimEnd()).LastOrDefault(partLocations.Contains)
            ?? partLocations.Where(p => message.Contains(p, StringComparison.Ordinal)).MaxBy(p => p.Length)
            ?? unreadablePart
            ?? (partLocations.Count == 1 ? partLocations[0] : null);
        var lineMatch = CsvErrorLine().Match(message);
        long? line = lineMatch.Success ? long.Parse(lineMatch.Groups[1].Value, CultureInfo.InvariantCulture) : null;

        // DuckDB appends advice and its option dump; the head says what and where.
        var reason = message;
        foreach (var tail in new[] { "\nColumn ", "\nPossible ", "\n  file = " })
        {
            var at = reason.IndexOf(tail, StringComparison.Ordinal);
            if (at > 0)
            {
                reason = reason[..at];
            }
        }

        var where = (file, line) switch
        {
            (null, _) => $"reading one of its {partLocations.Count} parts",
            (_, null) => $"in {file}",
            _ => string.Create(CultureInfo.InvariantCulture, $"in {file} at line {line}"),
        };
        return new DuckDbLoadException($"load of {Describe(manifest)} failed {where} and was rolled back: {reason.Trim()}", manifest.ObjectName, file, line, e);
    }

    private string Describe(StagedManifest manifest) => $"object '{manifest.ObjectName}' into {SchemaName}.{manifest.ObjectName} (load {manifest.LoadId})";

    private static object ReadValue(DbDataReader reader, int ordinal, ColumnKind kind) => kind switch
    {
        ColumnKind.String => reader.GetString(ordinal),
        ColumnKind.Int64 => reader.GetInt64(ordinal),
        ColumnKind.Decimal => reader.GetDecimal(ordinal),
        ColumnKind.Boolean => reader.GetBoolean(ordinal),
        ColumnKind.Date => reader.GetFieldValue<DateOnly>(ordinal),
        ColumnKind.Timestamp => reader.GetFieldValue<DateTimeOffset>(ordinal).ToUniversalTime(),
        _ => throw new InvalidOperationException($"unknown column kind {kind}"),
    };

    private async Task<List<CatalogColumn>> ReadColumnsAsync(DuckDBConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, DuckDbSql.SelectColumns(), ("schema", SchemaName), ("table", table));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = new List<CatalogColumn>();
        while (await reader.ReadAsync(cancellationToken))
        {
            columns.Add(new CatalogColumn(reader.GetString(0), reader.GetString(1)));
        }

        return columns;
    }

    private async Task<DuckDBConnection> OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_keepAlive is null)
            {
                // One connection held for the warehouse's lifetime keeps the database instance (and its
                // caches) open; the per-call connections below share it.
                if (!ReadOnly)
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
                }

                var keepAlive = new DuckDBConnection(_connectionString);
                keepAlive.Open();
                using (var limit = keepAlive.CreateCommand())
                {
                    // DuckDB would take 80% of the machine's memory and a thread per core; a fixed limit keeps a sync's
                    // footprint flat whatever the tenant's size (larger loads spill to DATABASE.tmp next to the file).
                    foreach (var setting in DuckDbSql.InstanceSettings(MemoryLimitBytes, Threads, AllocatorReturnBytes))
                    {
                        limit.CommandText = setting;
                        limit.ExecuteNonQuery();
                    }
                }

                _keepAlive = keepAlive;
            }
        }

        var connection = new DuckDBConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static DuckDBCommand Command(DuckDBConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(name, value ?? DBNull.Value));
        }

        return command;
    }

    private static async Task ExecuteAsync(DuckDBConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<long> ScalarInt64Async(DuckDBConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^\s*file = (.+)$", RegexOptions.Multiline)]
    private static partial Regex FileLine();

    [GeneratedRegex(@"CSV Error on Line: (\d+)")]
    private static partial Regex CsvErrorLine();
}
