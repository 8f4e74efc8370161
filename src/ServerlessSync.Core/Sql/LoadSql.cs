using System.Globalization;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Core.Sql;

/// <summary>
/// The merge rules, once for every warehouse: the statements of one manifest's load, the ledger of loaded manifests,
/// and the live rows' query, written against a <see cref="SqlDialect"/>. The SQL keeps to what DuckDB, Redshift and
/// PostgreSQL (the Redshift test double's engine) all accept (no <c>MERGE</c>, <c>QUALIFY</c> or <c>FILTER</c>);
/// null-safe comparison and everything else that differs come from the dialect.
/// </summary>
public static class LoadSql
{
    /// <summary>The ledger of loaded manifests, one row per <see cref="StagedManifest.LoadId"/>.</summary>
    public const string LedgerTable = "_serverless_sync_loads";

    // Per-load temporary tables and columns.
    public const string StagedTable = "_sync_staged";
    public const string BatchTable = "_sync_batch";
    public const string ClassifiedTable = "_sync_classified";
    public const string AbsentTable = "_sync_absent";
    public const string RankColumn = "_sync_rank";
    public const string ActionColumn = "_sync_action";
    public const string WasDeletedColumn = "_sync_was_deleted";
    public const string InsertAction = "I";
    public const string UpdateAction = "U";
    public const string UnchangedAction = "N";

    private static readonly string Id = SqlText.QuoteIdentifier(ObjectSchema.PrimaryKey);
    private static readonly string Cursor = SqlText.QuoteIdentifier(ObjectSchema.CursorColumn);
    private static readonly string Deleted = SqlText.QuoteIdentifier(ObjectSchema.DeletedColumn);
    private static readonly string SyncedAt = SqlText.QuoteIdentifier(ObjectSchema.SyncedAtColumn);
    private static readonly string Action = SqlText.QuoteIdentifier(ActionColumn);
    private static readonly string WasDeleted = SqlText.QuoteIdentifier(WasDeletedColumn);
    private static readonly string[] LedgerColumns =
        ["load_id", "connector", "run_id", "object", "window_start", "window_end", "rows", "inserted", "updated", "deleted", "loaded_at"];

    private static readonly string LoadIdColumn = SqlText.QuoteIdentifier(LedgerColumns[0]);

    /// <summary>A table of the warehouse schema, quoted and qualified.</summary>
    public static string Table(string schema, string table) => $"{SqlText.QuoteIdentifier(schema)}.{SqlText.QuoteIdentifier(table)}";

    public static string CreateSchema(string schema) => $"CREATE SCHEMA IF NOT EXISTS {SqlText.QuoteIdentifier(schema)}";

    public static string CreateLedger(SqlDialect dialect, string schema)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        var text = $"{dialect.BoundedStringType(256)} NOT NULL";
        string[] types =
        [
            $"{dialect.BoundedStringType(1024)} NOT NULL PRIMARY KEY", text, text, text,
            "TIMESTAMPTZ", "TIMESTAMPTZ NOT NULL", "BIGINT NOT NULL", "BIGINT NOT NULL", "BIGINT NOT NULL", "BIGINT NOT NULL", "TIMESTAMPTZ NOT NULL",
        ];
        var columns = LedgerColumns.Select((name, i) => $"{SqlText.QuoteIdentifier(name)} {types[i]}");
        return $"CREATE TABLE IF NOT EXISTS {Table(schema, LedgerTable)} (\n    {string.Join(",\n    ", columns)})";
    }

    /// <summary>Returns one count: how often the ledger holds <paramref name="loadId"/> (0 or 1).</summary>
    public static string FindLoad(SqlDialect dialect, string schema, string loadId)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        return $"SELECT COUNT(*) FROM {Table(schema, LedgerTable)} WHERE {LoadIdColumn} = {dialect.Literal(loadId)}";
    }

    /// <summary>
    /// The statements of one manifest's load, to run in order in one transaction: stage (the dialect's), skip a replay,
    /// keep one row per id, classify against the target, count, insert, update, record in the ledger, drop the
    /// temporary tables. Sub-statement <see cref="LoadStatements.CountIndex"/> returns (inserted, updated, deleted,
    /// unchanged, already_loaded), read by <see cref="Outcome"/>.
    /// <list type="bullet">
    /// <item>One row per id: the newest <c>updateddate</c>; on a tie a deleted row wins, then (where the dialect has
    /// an arrival order) the later row.</item>
    /// <item>A batch row is inserted when its id is new; updated when newer, or as new with any difference (a deleted
    /// row only when it newly deletes); else unchanged.</item>
    /// <item>A row becoming deleted keeps the target's value wherever the batch has none (a tombstone may carry only
    /// id and updateddate); columns the target has but the batch lacks keep their values.</item>
    /// <item>A historical manifest (no window start) is a snapshot: the live target rows it lacks, with
    /// <c>updateddate</c> before the window end or none, are found before the merge, marked deleted after it and
    /// counted as deleted.</item>
    /// <item>A manifest the ledger holds already changes nothing: its staged rows are removed before the merge, no
    /// target row looks absent, the ledger is not written again, and the count row says already_loaded.</item>
    /// </list>
    /// </summary>
    /// <param name="dialect">the warehouse's dialect</param>
    /// <param name="schema">the warehouse schema</param>
    /// <param name="manifest">the manifest loaded</param>
    /// <param name="columns">the load's columns, as the target spells them (<see cref="SchemaPlan.Columns"/>)</param>
    /// <param name="sources">where the dialect reads the parts from (<see cref="StagingRequest.Sources"/>)</param>
    /// <param name="syncedAt">the <c>_synced_at</c> of every row written, and the ledger's <c>loaded_at</c></param>
    /// <param name="targetIsEmpty">
    /// the caller knows the target holds no row (it created the table in this same transaction): the batch is inserted
    /// as it is, with no classifying join, no update and no absent rows to look for (<see cref="LoadIntoEmpty"/>)
    /// </param>
    /// <param name="keptColumns">
    /// the target's columns the batch lacks (<see cref="SchemaPlan.KeptColumns"/>), as the target spells them; needed where
    /// the dialect replaces updated rows (<see cref="SqlDialect.ReplacesUpdatedRows"/>), which carry their values over
    /// </param>
    public static LoadStatements Load(SqlDialect dialect, string schema, StagedManifest manifest, IReadOnlyList<ColumnSchema> columns, IReadOnlyList<string> sources, DateTimeOffset syncedAt, bool targetIsEmpty = false, IReadOnlyList<string>? keptColumns = null)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(columns);
        if (dialect.ReplacesUpdatedRows && !targetIsEmpty && keptColumns is null)
        {
            throw new ArgumentNullException(nameof(keptColumns), "a dialect that replaces updated rows needs the target's columns the batch lacks");
        }

        var target = Table(schema, manifest.ObjectName);
        var ledger = Table(schema, LedgerTable);
        var loaded = $"EXISTS (SELECT 1 FROM {ledger} WHERE {LoadIdColumn} = {dialect.Literal(manifest.LoadId)})";
        var staged = dialect.TempTable(StagedTable);
        var batch = dialect.TempTable(BatchTable);
        var classified = dialect.TempTable(ClassifiedTable);
        var names = string.Join(", ", columns.Select(c => SqlText.QuoteIdentifier(c.Name)).Append(Deleted));

        var request = new StagingRequest(StagedTable, target, columns, sources, manifest.NullMarker, manifest.Codec);
        var statements = new List<string>();
        if (dialect.LocksLedgerForLoad)
        {
            // First, before any statement takes the transaction's snapshot: a lock taken later cannot prevent the conflict.
            statements.Add($"LOCK {ledger}");
        }

        var order = $"{Cursor} DESC NULLS LAST, {Deleted} DESC" + (dialect.ArrivalOrder is { } arrival ? $", {arrival} DESC" : "");
        if (targetIsEmpty && dialect.ReadParts(request) is { } parts)
        {
            return LoadPartsIntoEmpty(dialect, manifest, statements, target, ledger, loaded, parts, names, order, syncedAt);
        }

        var staging = dialect.Stage(request);

        var stagingStart = statements.Count;
        statements.AddRange(staging.Sqls);
        var stagedIndex = statements.Count - 1;
        var copyIndex = staging.CopyIndex < 0 ? -1 : stagingStart + staging.CopyIndex;
        statements.Add($"DELETE FROM {staged} WHERE {loaded}");

        if (targetIsEmpty)
        {
            LoadIntoEmpty(dialect, manifest, statements, target, ledger, loaded, staged, names, order, syncedAt);
            return new LoadStatements(statements, copyIndex, statements.Count - 3, stagedIndex) { StagedRows = staged };
        }

        statements.Add($"CREATE TEMP TABLE {SqlText.QuoteIdentifier(BatchTable)} AS\n{dialect.FirstRowPer(names, staged, Id, order)}");
        var kept = dialect.ReplacesUpdatedRows ? keptColumns! : null;
        statements.Add(Classify(dialect, target, batch, columns, kept));

        var snapshot = manifest.WindowStart is null;
        var absentCount = "0";
        if (snapshot)
        {
            // Empty on a replay: the staged rows were removed above, and every target row would look absent.
            statements.Add(
                $"""
                CREATE TEMP TABLE {SqlText.QuoteIdentifier(AbsentTable)} AS
                SELECT t.{Id} FROM {target} AS t
                WHERE NOT t.{Deleted}
                    AND (t.{Cursor} < {dialect.TimestampLiteral(manifest.WindowEnd)} OR t.{Cursor} IS NULL)
                    AND NOT EXISTS (SELECT 1 FROM {batch} AS b WHERE b.{Id} = t.{Id})
                    AND NOT {loaded}
                """);
            absentCount = $"(SELECT COUNT(*) FROM {dialect.TempTable(AbsentTable)})";
        }

        var insert = dialect.Literal(InsertAction);
        var update = dialect.Literal(UpdateAction);
        var inserted = $"COUNT(CASE WHEN {Action} = {insert} AND NOT {Deleted} THEN 1 END)";
        var updated = $"COUNT(CASE WHEN {Action} = {update} AND NOT ({Deleted} AND NOT {WasDeleted}) THEN 1 END)";
        var deleted = $"COUNT(CASE WHEN ({Action} = {insert} AND {Deleted}) OR ({Action} = {update} AND {Deleted} AND NOT {WasDeleted}) THEN 1 END) + {absentCount}";
        var unchanged = $"COUNT(CASE WHEN {Action} = {dialect.Literal(UnchangedAction)} THEN 1 END)";
        var countIndex = statements.Count;
        statements.Add(
            $"""
            SELECT {inserted} AS inserted, {updated} AS updated, {deleted} AS deleted, {unchanged} AS unchanged,
                (SELECT COUNT(*) FROM {ledger} WHERE {LoadIdColumn} = {dialect.Literal(manifest.LoadId)}) AS already_loaded
            FROM {classified}
            """);

        var synced = dialect.TimestampLiteral(syncedAt);
        if (kept is not null)
        {
            // The classified rows carry the merged values already: the updated rows are deleted, then inserted anew.
            var all = string.Join(", ", kept.Select(SqlText.QuoteIdentifier).Prepend(names));
            statements.Add($"DELETE FROM {target} WHERE {Id} IN (SELECT {Id} FROM {classified} WHERE {Action} = {update})");
            statements.Add(
                $"""
                INSERT INTO {target} ({all}, {SyncedAt})
                SELECT {all}, {synced} FROM {classified} WHERE {Action} IN ({insert}, {update})
                """);
        }
        else
        {
            statements.Add(
                $"""
                INSERT INTO {target} ({names}, {SyncedAt})
                SELECT {names}, {synced} FROM {classified} WHERE {Action} = {insert}
                """);
            statements.Add(UpdateInPlace(target, classified, columns, update, synced));
        }

        if (snapshot)
        {
            statements.Add(
                $"""
                UPDATE {target} SET {Deleted} = TRUE, {SyncedAt} = {synced}
                FROM {dialect.TempTable(AbsentTable)} AS a
                WHERE {target}.{Id} = a.{Id}
                """);
        }

        statements.Add(RecordInLedger(dialect, manifest, ledger, loaded, $"SELECT {inserted} AS inserted, {updated} AS updated, {deleted} AS deleted FROM {classified}", synced));

        foreach (var temp in snapshot ? [AbsentTable, ClassifiedTable, BatchTable, StagedTable] : new[] { ClassifiedTable, BatchTable, StagedTable })
        {
            statements.Add($"DROP TABLE {dialect.TempTable(temp)}");
        }

        return new LoadStatements(statements, copyIndex, countIndex, stagedIndex) { StagedRows = staged };
    }

    /// <summary>Updates the target's rows the classified batch tags as updates; a row becoming deleted keeps the target's value wherever the batch has none.</summary>
    private static string UpdateInPlace(string target, string classified, IReadOnlyList<ColumnSchema> columns, string update, string synced)
    {
        var set = string.Join(", ", columns.Where(c => c.Name != ObjectSchema.PrimaryKey)
            .Select(c => SqlText.QuoteIdentifier(c.Name))
            .Select(n => $"{n} = CASE WHEN k.{Deleted} THEN COALESCE(k.{n}, {target}.{n}) ELSE k.{n} END")
            .Append($"{Deleted} = k.{Deleted}"));
        return $"""
            UPDATE {target} SET {set}, {SyncedAt} = {synced}
            FROM {classified} AS k
            WHERE {target}.{Id} = k.{Id} AND k.{Action} = {update}
            """;
    }

    /// <summary>
    /// A load into a target known to be empty, read straight from the parts (<see cref="SqlDialect.ReadParts"/>): every
    /// part row goes into the target as it is, then the rows of an id seen more than once, only those, are collapsed to
    /// the one the merge would keep (the same order; the arrival order is the target's now); counts, ledger and replay
    /// guard as in <see cref="LoadIntoEmpty"/>. The staged rows are checked in the target (<see cref="LoadStatements.StagedRows"/>).
    /// </summary>
    private static LoadStatements LoadPartsIntoEmpty(SqlDialect dialect, StagedManifest manifest, List<string> statements, string target, string ledger, string loaded, string parts, string names, string order, DateTimeOffset syncedAt)
    {
        var synced = dialect.TimestampLiteral(syncedAt);
        var copyIndex = statements.Count;
        statements.Add(
            $"""
            INSERT INTO {target} ({names}, {SyncedAt})
            SELECT {names}, {synced} FROM {parts}
            WHERE NOT {loaded}
            """);
        var rank = SqlText.QuoteIdentifier(RankColumn);
        var arrival = dialect.ArrivalOrder ?? throw new InvalidOperationException("a dialect reading parts into the target needs an arrival order");
        statements.Add(
            $"""
            DELETE FROM {target} WHERE {arrival} IN (
                SELECT {arrival} FROM (
                    SELECT {arrival}, ROW_NUMBER() OVER (PARTITION BY {Id} ORDER BY {order}) AS {rank}
                    FROM {target}
                    WHERE {Id} IN (SELECT {Id} FROM {target} GROUP BY {Id} HAVING COUNT(*) > 1)) AS duplicates
                WHERE {rank} > 1)
            """);
        AddCountsAndLedger(dialect, manifest, statements, target, ledger, loaded, synced);
        return new LoadStatements(statements, copyIndex, statements.Count - 2, copyIndex) { StagedRows = target };
    }

    /// <summary>
    /// The rest of a load into a target known to be empty: every batch row is an insert (a reported-deleted one inserted
    /// deleted), so the collapsed batch goes straight into the target, and the counts are read back from it; with the
    /// same counts, ledger and replay guard as the merge. Adds insert, count, ledger and drop, in that order.
    /// </summary>
    private static void LoadIntoEmpty(SqlDialect dialect, StagedManifest manifest, List<string> statements, string target, string ledger, string loaded, string staged, string names, string order, DateTimeOffset syncedAt)
    {
        var synced = dialect.TimestampLiteral(syncedAt);
        statements.Add(
            $"""
            INSERT INTO {target} ({names}, {SyncedAt})
            SELECT {names}, {synced} FROM ({dialect.FirstRowPer(names, staged, Id, order)}) AS b
            """);
        AddCountsAndLedger(dialect, manifest, statements, target, ledger, loaded, synced);
        statements.Add($"DROP TABLE {staged}");
    }

    /// <summary>The count row and the ledger's row of a load into an empty target, read back from the target.</summary>
    private static void AddCountsAndLedger(SqlDialect dialect, StagedManifest manifest, List<string> statements, string target, string ledger, string loaded, string synced)
    {
        var counts = $"SELECT COUNT(CASE WHEN NOT {Deleted} THEN 1 END) AS inserted, 0 AS updated, COUNT(CASE WHEN {Deleted} THEN 1 END) AS deleted, 0 AS unchanged FROM {target}";
        statements.Add(
            $"""
            SELECT counts.inserted, counts.updated, counts.deleted, counts.unchanged,
                (SELECT COUNT(*) FROM {ledger} WHERE {LoadIdColumn} = {dialect.Literal(manifest.LoadId)}) AS already_loaded
            FROM ({counts}) AS counts
            """);
        statements.Add(RecordInLedger(dialect, manifest, ledger, loaded, counts, synced));
    }

    /// <summary>Records the manifest in the ledger with the counts <paramref name="counts"/> selects (inserted, updated, deleted), unless it is there already.</summary>
    private static string RecordInLedger(SqlDialect dialect, StagedManifest manifest, string ledger, string loaded, string counts, string synced)
    {
        var window = manifest.WindowStart is { } start ? dialect.TimestampLiteral(start) : "CAST(NULL AS TIMESTAMPTZ)";
        return $"""
            INSERT INTO {ledger} ({string.Join(", ", LedgerColumns.Select(SqlText.QuoteIdentifier))})
            SELECT {dialect.Literal(manifest.LoadId)}, {dialect.Literal(manifest.ConnectorId)}, {dialect.Literal(manifest.RunId)}, {dialect.Literal(manifest.ObjectName)}, {window}, {dialect.TimestampLiteral(manifest.WindowEnd)},
                {manifest.Rows.ToString(CultureInfo.InvariantCulture)}, counts.inserted, counts.updated, counts.deleted, {synced}
            FROM ({counts}) AS counts
            WHERE NOT {loaded}
            """;
    }

    /// <summary>The outcome from the row of <see cref="LoadStatements.CountIndex"/>: (inserted, updated, deleted, unchanged, already_loaded).</summary>
    public static LoadOutcome Outcome(IReadOnlyList<long> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count != 5)
        {
            throw new InvalidDataException($"the load's count row has {counts.Count} values, not 5");
        }

        return counts[4] > 0 ? LoadOutcome.Replayed : new LoadOutcome(counts[0], counts[1], counts[2], counts[3], AlreadyLoaded: false);
    }

    /// <summary>
    /// A page of at most <paramref name="pageSize"/> live rows whose id sorts after <paramref name="afterId"/> (from the
    /// first when null), in id order.
    /// </summary>
    public static string SelectLivePage(SqlDialect dialect, string schema, string table, IReadOnlyList<ColumnSchema> columns, string? afterId, int pageSize)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        return string.Create(CultureInfo.InvariantCulture, $"""
            SELECT {string.Join(", ", columns.Select(c => SqlText.QuoteIdentifier(c.Name)))}
            FROM {Table(schema, table)}
            WHERE NOT {Deleted}{(afterId is null ? "" : $" AND {Id} > {dialect.Literal(afterId)}")}
            ORDER BY {Id}
            LIMIT {pageSize}
            """);
    }

    /// <summary>
    /// Tags every batch row: insert (id not in the target), update, or unchanged; keeps the target's <c>_deleted</c>. With
    /// <paramref name="kept"/> (a dialect replacing updated rows) the row holds the merged values instead of the batch's:
    /// a row becoming deleted takes the target's value wherever the batch has none, and the kept columns the target's.
    /// </summary>
    private static string Classify(SqlDialect dialect, string target, string batch, IReadOnlyList<ColumnSchema> columns, IReadOnlyList<string>? kept)
    {
        var values = kept is null
            ? "b.*"
            : string.Join(", ", columns.Select(c => SqlText.QuoteIdentifier(c.Name))
                .Select(n => n == Id ? $"b.{n}" : $"CASE WHEN b.{Deleted} THEN COALESCE(b.{n}, t.{n}) ELSE b.{n} END AS {n}")
                .Append($"b.{Deleted}")
                .Concat(kept.Select(SqlText.QuoteIdentifier).Select(n => $"t.{n}")));
        var differs = string.Join(" OR ", columns.Append(new ColumnSchema(ObjectSchema.DeletedColumn, ColumnType.Boolean))
            .Select(c => (Name: SqlText.QuoteIdentifier(c.Name), c.Type))
            .Select(c => dialect.NullSafeDiffers($"b.{c.Name}", $"t.{c.Name}", c.Type)));
        return $"""
            CREATE TEMP TABLE {SqlText.QuoteIdentifier(ClassifiedTable)} AS
            SELECT {values},
                CASE
                    WHEN t.{Id} IS NULL THEN {dialect.Literal(InsertAction)}
                    WHEN b.{Cursor} > t.{Cursor} OR (t.{Cursor} IS NULL AND b.{Cursor} IS NOT NULL) THEN {dialect.Literal(UpdateAction)}
                    WHEN {dialect.NullSafeEquals($"b.{Cursor}", $"t.{Cursor}", ColumnType.Timestamp)} AND (CASE WHEN b.{Deleted} THEN {dialect.NullSafeDiffers($"b.{Deleted}", $"t.{Deleted}", ColumnType.Boolean)} ELSE ({differs}) END) THEN {dialect.Literal(UpdateAction)}
                    ELSE {dialect.Literal(UnchangedAction)}
                END AS {Action},
                t.{Deleted} AS {WasDeleted}
            FROM {batch} AS b
            LEFT JOIN {target} AS t ON t.{Id} = b.{Id}
            """;
    }
}

/// <summary>The statements of one load and which of them matter to the caller.</summary>
/// <param name="Sqls">the statements, in order, for one transaction (Redshift: one BatchExecuteStatement)</param>
/// <param name="CopyIndex">the position (0-based; -1 without parts) of the statement reading the staged parts: a failure there is explained by the load errors</param>
/// <param name="CountIndex">the position of the statement returning the outcome counts</param>
/// <param name="StagedIndex">the position of the last staging statement: checks of what was staged go after it</param>
public sealed record LoadStatements(IReadOnlyList<string> Sqls, int CopyIndex, int CountIndex, int StagedIndex)
{
    /// <summary>
    /// The table holding the staged rows after <see cref="StagedIndex"/>, as the statements reference it: the temporary
    /// staging table, or the target where the parts went into an empty target directly.
    /// </summary>
    public required string StagedRows { get; init; }
}
