using System.Globalization;
using System.Text;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Sql;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Embedded.DuckDb;

/// <summary>
/// Every piece of SQL text the DuckDB warehouse sends, in one place. Identifiers always go through
/// <see cref="Identifier"/>; values are parameters (<c>$name</c>) or, where DuckDB takes no parameter
/// (file lists and options of <c>read_csv</c>, DDL), go through <see cref="Literal"/>, the one escape function.
/// </summary>
public static class DuckDbSql
{
    /// <summary>The ledger of loaded manifests, one row per <see cref="StagedManifest.LoadId"/>.</summary>
    public const string LedgerTable = "_serverless_sync_loads";

    /// <summary>DuckDB's default (2 MB) is too small for a long notes field; a longer line fails naming file and line.</summary>
    public const int MaxLineBytes = 8 * 1024 * 1024;

    // Per-load temporary tables (connection-local, in temp.main).
    internal const string StagedTable = "_sync_staged";
    internal const string BatchTable = "_sync_batch";
    internal const string ClassifiedTable = "_sync_classified";
    internal const string AbsentTable = "_sync_absent";
    internal const string ActionColumn = "_sync_action";
    internal const string WasDeletedColumn = "_sync_was_deleted";
    internal const string InsertAction = "I";
    internal const string UpdateAction = "U";
    internal const string UnchangedAction = "N";

    /// <summary>Quotes an identifier: <c>"name"</c> with embedded double quotes doubled.</summary>
    public static string Identifier(string name) => SqlText.QuoteIdentifier(name);

    /// <summary>
    /// A string literal: <c>'text'</c> with embedded single quotes doubled. DuckDB's standard literals
    /// have no other escapes: backslashes, newlines and any unicode stand as they are.
    /// </summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        SqlText.RejectNul(value, nameof(value));
        return string.Concat("'", value.Replace("'", "''", StringComparison.Ordinal), "'");
    }

    /// <summary>The DuckDB type for a column type: VARCHAR, BIGINT, DECIMAL(p,s), BOOLEAN, DATE, TIMESTAMPTZ.</summary>
    public static string TypeName(ColumnType type) => type.Kind switch
    {
        ColumnKind.String => "VARCHAR",
        ColumnKind.Int64 => "BIGINT",
        ColumnKind.Decimal => string.Create(CultureInfo.InvariantCulture, $"DECIMAL({type.Precision},{type.Scale})"),
        ColumnKind.Boolean => "BOOLEAN",
        ColumnKind.Date => "DATE",
        ColumnKind.Timestamp => "TIMESTAMPTZ",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type.Kind, "unknown column kind"),
    };

    /// <summary>
    /// Maps <c>information_schema.columns.data_type</c> text back to a column type. False for any type the
    /// pipeline never creates (INTEGER, TIMESTAMP without time zone, DOUBLE, …).
    /// </summary>
    public static bool TryParseType(string dataType, out ColumnType type)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        var t = dataType.Trim().ToUpperInvariant();
        switch (t)
        {
            case "VARCHAR":
                type = ColumnType.String;
                return true;
            case "BIGINT":
                type = ColumnType.Int64;
                return true;
            case "BOOLEAN":
                type = ColumnType.Boolean;
                return true;
            case "DATE":
                type = ColumnType.Date;
                return true;
            case "TIMESTAMP WITH TIME ZONE" or "TIMESTAMPTZ":
                type = ColumnType.Timestamp;
                return true;
        }

        if (t.StartsWith("DECIMAL(", StringComparison.Ordinal) && t.EndsWith(')'))
        {
            var args = t["DECIMAL(".Length..^1].Split(',');
            if (args.Length == 2
                && int.TryParse(args[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var p)
                && int.TryParse(args[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var s)
                && p is >= 1 and <= ColumnType.MaxDecimalPrecision && s >= 0 && s <= p)
            {
                type = ColumnType.Decimal(p, s);
                return true;
            }
        }

        type = default;
        return false;
    }

    internal static string Table(string schema, string table) => $"{Identifier(schema)}.{Identifier(table)}";

    internal static string Temp(string table) => $"temp.main.{Identifier(table)}";

    internal static string CreateSchema(string schema) => $"CREATE SCHEMA IF NOT EXISTS {Identifier(schema)}";

    internal static string CreateLedger(string schema) =>
        $"""
        CREATE TABLE IF NOT EXISTS {Table(schema, LedgerTable)} (
            "load_id" VARCHAR PRIMARY KEY,
            "connector" VARCHAR NOT NULL,
            "run_id" VARCHAR NOT NULL,
            "object" VARCHAR NOT NULL,
            "window_start" TIMESTAMPTZ,
            "window_end" TIMESTAMPTZ NOT NULL,
            "rows" BIGINT NOT NULL,
            "inserted" BIGINT NOT NULL,
            "updated" BIGINT NOT NULL,
            "deleted" BIGINT NOT NULL,
            "loaded_at" TIMESTAMPTZ NOT NULL)
        """;

    /// <summary>Parameter: <c>$load_id</c>.</summary>
    internal static string FindLoad(string schema) =>
        $"""SELECT count(*) FROM {Table(schema, LedgerTable)} WHERE "load_id" = $load_id""";

    /// <summary>Parameters: <c>$load_id $connector $run_id $object $window_start $window_end $rows $inserted $updated $deleted $loaded_at</c>.</summary>
    internal static string RecordLoad(string schema) =>
        $"""
        INSERT INTO {Table(schema, LedgerTable)}
            ("load_id", "connector", "run_id", "object", "window_start", "window_end", "rows", "inserted", "updated", "deleted", "loaded_at")
        VALUES ($load_id, $connector, $run_id, $object, $window_start, $window_end, $rows, $inserted, $updated, $deleted, $loaded_at)
        """;

    /// <summary>
    /// Parameters: <c>$schema $table</c>. Returns (column_name, data_type) in table order. Names match
    /// case-insensitively, as DuckDB binds identifiers.
    /// </summary>
    internal static string SelectColumns() =>
        """
        SELECT column_name, data_type
        FROM information_schema.columns
        WHERE table_catalog = current_database() AND lower(table_schema) = lower($schema) AND lower(table_name) = lower($table)
        ORDER BY ordinal_position
        """;

    internal static string CreateTable(string schema, string table, IReadOnlyList<ColumnSchema> columns)
    {
        var sql = new StringBuilder();
        sql.Append("CREATE TABLE ").Append(Table(schema, table)).Append(" (");
        foreach (var c in columns)
        {
            sql.Append(Identifier(c.Name)).Append(' ').Append(TypeName(c.Type)).Append(", ");
        }

        // No PRIMARY KEY: DuckDB checks uniqueness eagerly on UPDATE; the merge keeps one row per id.
        sql.Append(Identifier(ObjectSchema.DeletedColumn)).Append(" BOOLEAN NOT NULL, ")
            .Append(Identifier(ObjectSchema.SyncedAtColumn)).Append(" TIMESTAMPTZ NOT NULL)");
        return sql.ToString();
    }

    internal static string AddColumn(string schema, string table, ColumnSchema column) =>
        $"ALTER TABLE {Table(schema, table)} ADD COLUMN {Identifier(column.Name)} {TypeName(column.Type)}";

    /// <summary>The read_csv call for the staged dialect (<see cref="CsvFormat"/>): nothing sniffed, every option stated.</summary>
    internal static string ReadCsv(IReadOnlyList<ColumnSchema> columns, IReadOnlyList<string> files)
    {
        var sql = new StringBuilder();
        sql.Append("read_csv([").AppendJoin(", ", files.Select(Literal)).Append("], columns = {");
        foreach (var c in columns)
        {
            sql.Append(Literal(c.Name)).Append(": ").Append(Literal(TypeName(c.Type))).Append(", ");
        }

        sql.Append(Literal(ObjectSchema.DeletedColumn)).Append(": ").Append(Literal("BOOLEAN")).Append('}');
        sql.Append(", auto_detect = false")
            .Append(", header = false")
            .Append(", delim = ").Append(Literal(CsvFormat.Delimiter.ToString()))
            .Append(", quote = ").Append(Literal(CsvFormat.Quote.ToString()))
            .Append(", escape = ").Append(Literal(CsvFormat.Quote.ToString()))
            .Append(", new_line = ").Append(Literal("\\n"))
            .Append(", nullstr = ").Append(Literal(CsvFormat.NullMarker))
            .Append(", allow_quoted_nulls = false")
            .Append(", strict_mode = true")
            .Append(", ignore_errors = false")
            .Append(", null_padding = false")
            .Append(", skip = 0")
            .Append(", encoding = ").Append(Literal("utf-8"))
            .Append(", compression = ").Append(Literal("gzip"))
            .Append(", max_line_size = ").Append(MaxLineBytes.ToString(CultureInfo.InvariantCulture))
            // DuckDB's default read buffer is 16 × max_line_size per reader; two lines' worth is enough and
            // keeps a load inside the warehouse's memory limit.
            .Append(", buffer_size = ").Append((2 * MaxLineBytes).ToString(CultureInfo.InvariantCulture))
            .Append(", parallel = true")
            .Append(')');
        return sql.ToString();
    }

    /// <summary>Loads every part into the staging table; its rowid keeps file and line order.</summary>
    internal static string StageParts(IReadOnlyList<ColumnSchema> columns, IReadOnlyList<string> files) =>
        $"CREATE TEMP TABLE {Identifier(StagedTable)} AS SELECT * FROM {ReadCsv(columns, files)}";

    /// <summary>An empty staging table of the same shape, for a manifest without parts.</summary>
    internal static string CreateEmptyStaged(IReadOnlyList<ColumnSchema> columns)
    {
        var sql = new StringBuilder();
        sql.Append("CREATE TEMP TABLE ").Append(Identifier(StagedTable)).Append(" (");
        foreach (var c in columns)
        {
            sql.Append(Identifier(c.Name)).Append(' ').Append(TypeName(c.Type)).Append(", ");
        }

        sql.Append(Identifier(ObjectSchema.DeletedColumn)).Append(" BOOLEAN)");
        return sql.ToString();
    }

    /// <summary>Returns (rows, rows lacking id or _deleted).</summary>
    internal static string CheckStaged() =>
        $"""
        SELECT count(*), count(*) FILTER (WHERE {Identifier(ObjectSchema.PrimaryKey)} IS NULL OR {Identifier(ObjectSchema.DeletedColumn)} IS NULL)
        FROM {Temp(StagedTable)}
        """;

    /// <summary>Per file: (filename, rows, rows lacking id or _deleted); run only to explain a failed check.</summary>
    internal static string CountPerFile(IReadOnlyList<ColumnSchema> columns, IReadOnlyList<string> files) =>
        $"""
        SELECT filename, count(*), count(*) FILTER (WHERE {Identifier(ObjectSchema.PrimaryKey)} IS NULL OR {Identifier(ObjectSchema.DeletedColumn)} IS NULL)
        FROM {ReadCsv(columns, files)}
        GROUP BY filename
        """;

    /// <summary>
    /// One row per id: the newest <c>updateddate</c>; on a tie a deleted row wins, then the later row
    /// (later part, later line).
    /// </summary>
    internal static string CollapseDuplicates() =>
        $"""
        CREATE TEMP TABLE {Identifier(BatchTable)} AS
        SELECT * FROM {Temp(StagedTable)}
        QUALIFY row_number() OVER (
            PARTITION BY {Identifier(ObjectSchema.PrimaryKey)}
            ORDER BY {Identifier(ObjectSchema.CursorColumn)} DESC NULLS LAST, {Identifier(ObjectSchema.DeletedColumn)} DESC, rowid DESC) = 1
        """;

    /// <summary>
    /// Tags every batch row: insert (id not in the target), update (newer, or as new with any difference),
    /// or unchanged; keeps the target's <c>_deleted</c> to tell deletes from updates.
    /// </summary>
    internal static string Classify(string schema, string table, IReadOnlyList<ColumnSchema> columns)
    {
        var id = Identifier(ObjectSchema.PrimaryKey);
        var cursor = Identifier(ObjectSchema.CursorColumn);
        var deleted = Identifier(ObjectSchema.DeletedColumn);
        var differs = new StringBuilder();
        foreach (var c in columns)
        {
            differs.Append("b.").Append(Identifier(c.Name)).Append(" IS DISTINCT FROM t.").Append(Identifier(c.Name)).Append(" OR ");
        }

        differs.Append("b.").Append(deleted).Append(" IS DISTINCT FROM t.").Append(deleted);
        return $"""
            CREATE TEMP TABLE {Identifier(ClassifiedTable)} AS
            SELECT b.*,
                CASE
                    WHEN t.{id} IS NULL THEN {Literal(InsertAction)}
                    WHEN b.{cursor} > t.{cursor} OR (t.{cursor} IS NULL AND b.{cursor} IS NOT NULL) THEN {Literal(UpdateAction)}
                    WHEN b.{cursor} IS NOT DISTINCT FROM t.{cursor} AND (CASE WHEN b.{deleted} THEN b.{deleted} IS DISTINCT FROM t.{deleted} ELSE ({differs}) END) THEN {Literal(UpdateAction)}
                    ELSE {Literal(UnchangedAction)}
                END AS {Identifier(ActionColumn)},
                t.{deleted} AS {Identifier(WasDeletedColumn)}
            FROM {Temp(BatchTable)} AS b
            LEFT JOIN {Table(schema, table)} AS t ON t.{id} = b.{id}
            """;
    }

    /// <summary>Returns (inserted, updated, deleted, unchanged) as the load outcome counts them.</summary>
    internal static string CountOutcome()
    {
        var action = Identifier(ActionColumn);
        var deleted = Identifier(ObjectSchema.DeletedColumn);
        var was = Identifier(WasDeletedColumn);
        return $"""
            SELECT
                count(*) FILTER (WHERE {action} = {Literal(InsertAction)} AND NOT {deleted}),
                count(*) FILTER (WHERE {action} = {Literal(UpdateAction)} AND NOT ({deleted} AND NOT {was})),
                count(*) FILTER (WHERE ({action} = {Literal(InsertAction)} AND {deleted}) OR ({action} = {Literal(UpdateAction)} AND {deleted} AND NOT {was})),
                count(*) FILTER (WHERE {action} = {Literal(UnchangedAction)})
            FROM {Temp(ClassifiedTable)}
            """;
    }

    /// <summary>Parameter: <c>$synced_at</c>.</summary>
    internal static string InsertNew(string schema, string table, IReadOnlyList<ColumnSchema> columns)
    {
        var names = string.Join(", ", columns.Select(c => Identifier(c.Name)).Append(Identifier(ObjectSchema.DeletedColumn)));
        return $"""
            INSERT INTO {Table(schema, table)} ({names}, {Identifier(ObjectSchema.SyncedAtColumn)})
            SELECT {names}, $synced_at
            FROM {Temp(ClassifiedTable)}
            WHERE {Identifier(ActionColumn)} = {Literal(InsertAction)}
            """;
    }

    /// <summary>
    /// Parameter: <c>$synced_at</c>. Columns the target has but the batch lacks keep their values. A deleted batch row
    /// keeps the target's value wherever it has none: a tombstone may carry only id and updateddate.
    /// </summary>
    internal static string UpdateChanged(string schema, string table, IReadOnlyList<ColumnSchema> columns)
    {
        var id = Identifier(ObjectSchema.PrimaryKey);
        var deleted = Identifier(ObjectSchema.DeletedColumn);
        var set = string.Join(", ", columns.Where(c => c.Name != ObjectSchema.PrimaryKey)
            .Select(c => Identifier(c.Name))
            .Select(n => $"{n} = CASE WHEN c.{deleted} THEN coalesce(c.{n}, t.{n}) ELSE c.{n} END")
            .Append($"{deleted} = c.{deleted}"));
        return $"""
            UPDATE {Table(schema, table)} AS t
            SET {set}, {Identifier(ObjectSchema.SyncedAtColumn)} = $synced_at
            FROM {Temp(ClassifiedTable)} AS c
            WHERE t.{id} = c.{id} AND c.{Identifier(ActionColumn)} = {Literal(UpdateAction)}
            """;
    }

    /// <summary>
    /// Parameter: <c>$window_end</c>. For a historical (snapshot) load: the live target rows the snapshot lacks that it
    /// would have held (<c>updateddate</c> before the window end, or none), which the load marks deleted.
    /// </summary>
    internal static string FindAbsent(string schema, string table)
    {
        var id = Identifier(ObjectSchema.PrimaryKey);
        var cursor = Identifier(ObjectSchema.CursorColumn);
        return $"""
            CREATE TEMP TABLE {Identifier(AbsentTable)} AS
            SELECT t.{id} FROM {Table(schema, table)} AS t
            WHERE NOT t.{Identifier(ObjectSchema.DeletedColumn)}
                AND (t.{cursor} < $window_end OR t.{cursor} IS NULL)
                AND NOT EXISTS (SELECT 1 FROM {Temp(BatchTable)} AS b WHERE b.{id} = t.{id})
            """;
    }

    internal static string CountAbsent() => $"SELECT count(*) FROM {Temp(AbsentTable)}";

    /// <summary>Parameter: <c>$synced_at</c>. Marks the rows of <see cref="FindAbsent"/> deleted, keeping their values.</summary>
    internal static string DeleteAbsent(string schema, string table)
    {
        var id = Identifier(ObjectSchema.PrimaryKey);
        return $"""
            UPDATE {Table(schema, table)} AS t
            SET {Identifier(ObjectSchema.DeletedColumn)} = true, {Identifier(ObjectSchema.SyncedAtColumn)} = $synced_at
            FROM {Temp(AbsentTable)} AS a
            WHERE t.{id} = a.{id}
            """;
    }

    internal static string DropTemp(string table) => $"DROP TABLE IF EXISTS {Temp(table)}";

    /// <summary>Parameters: <c>$page_size</c>, and <c>$after_id</c> when <paramref name="afterId"/>. A page of the live rows, in id order.</summary>
    internal static string SelectLivePage(string schema, string table, IReadOnlyList<ColumnSchema> columns, bool afterId) =>
        $"""
        SELECT {string.Join(", ", columns.Select(c => Identifier(c.Name)))}
        FROM {Table(schema, table)}
        WHERE NOT {Identifier(ObjectSchema.DeletedColumn)}{(afterId ? $" AND {Identifier(ObjectSchema.PrimaryKey)} > $after_id" : "")}
        ORDER BY {Identifier(ObjectSchema.PrimaryKey)}
        LIMIT $page_size
        """;

    /// <summary>Every row and column, ordered by every column from the first: for tests and checks.</summary>
    internal static string SelectAll(string schema, string table, int columnCount) =>
        $"SELECT * FROM {Table(schema, table)} ORDER BY {string.Join(", ", Enumerable.Range(1, columnCount).Select(i => i.ToString(CultureInfo.InvariantCulture)))}";

    /// <summary>Caps the database instance's memory; beyond it DuckDB spills to its temp directory.</summary>
    internal static string MemoryLimit(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 16L * 1024 * 1024);
        return string.Create(CultureInfo.InvariantCulture, $"SET memory_limit = {Literal($"{bytes / (1024 * 1024)}MiB")}");
    }
}
