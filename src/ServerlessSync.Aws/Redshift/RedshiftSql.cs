using System.Globalization;
using System.Text;
using System.Text.Json;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Sql;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Aws.Redshift;

/// <summary>
/// Every piece of SQL text the Redshift warehouse sends, in one place. Identifiers always go through
/// <see cref="Identifier"/>; values are literals escaped by <see cref="Literal"/>, the one escape function
/// (the Data API's parameters cannot carry NULL or an empty string, and COPY and DDL take none).
/// The SQL keeps to what Redshift and PostgreSQL (the test double's engine) both accept: no
/// <c>IS DISTINCT FROM</c>, <c>FILTER</c>, <c>QUALIFY</c> or <c>MERGE</c>.
/// </summary>
public static class RedshiftSql
{
    /// <summary>The ledger of loaded manifests, one row per <see cref="StagedManifest.LoadId"/>.</summary>
    public const string LedgerTable = "_serverless_sync_loads";

    /// <summary>Redshift's largest VARCHAR, in bytes: every string column is created this wide.</summary>
    public const int MaxVarcharBytes = 65535;

    internal const string StagedTable = "_sync_staged";
    internal const string BatchTable = "_sync_batch";
    internal const string ClassifiedTable = "_sync_classified";
    internal const string AbsentTable = "_sync_absent";
    internal const string RankColumn = "_sync_rank";
    internal const string ActionColumn = "_sync_action";
    internal const string WasDeletedColumn = "_sync_was_deleted";
    internal const string InsertAction = "I";
    internal const string UpdateAction = "U";
    internal const string UnchangedAction = "N";

    private const string TimestampLiteralFormat = "yyyy-MM-dd HH:mm:ss.ffffff'+00'";

    /// <summary>Quotes an identifier: <c>"name"</c> with embedded double quotes doubled.</summary>
    public static string Identifier(string name) => SqlText.QuoteIdentifier(name);

    /// <summary>
    /// A string literal: <c>'text'</c> with single quotes doubled and backslashes doubled, since Redshift
    /// reads a backslash in a literal as an escape. Newlines and any unicode stand as they are; NUL is refused.
    /// </summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        SqlText.RejectNul(value, nameof(value));
        var escaped = value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal);
        return string.Concat("'", escaped, "'");
    }

    /// <summary>A timestamptz literal for an instant, at microsecond precision in UTC.</summary>
    public static string TimestampLiteral(DateTimeOffset value) =>
        $"CAST({Literal(value.UtcDateTime.ToString(TimestampLiteralFormat, CultureInfo.InvariantCulture))} AS TIMESTAMPTZ)";

    /// <summary>The Redshift type for a column type: VARCHAR(65535), BIGINT, DECIMAL(p,s), BOOLEAN, DATE, TIMESTAMPTZ.</summary>
    public static string TypeName(ColumnType type) => type.Kind switch
    {
        ColumnKind.String => string.Create(CultureInfo.InvariantCulture, $"VARCHAR({MaxVarcharBytes})"),
        ColumnKind.Int64 => "BIGINT",
        ColumnKind.Decimal => string.Create(CultureInfo.InvariantCulture, $"DECIMAL({type.Precision},{type.Scale})"),
        ColumnKind.Boolean => "BOOLEAN",
        ColumnKind.Date => "DATE",
        ColumnKind.Timestamp => "TIMESTAMPTZ",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type.Kind, "unknown column kind"),
    };

    /// <summary>
    /// Maps a catalog row of <see cref="SelectColumns"/> back to a column type. False for a type the pipeline
    /// never creates (INTEGER, TIMESTAMP without time zone, DOUBLE PRECISION, a narrower VARCHAR is still a string).
    /// </summary>
    public static bool TryParseType(string dataType, int? numericPrecision, int? numericScale, out ColumnType type)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        switch (dataType.Trim().ToLowerInvariant())
        {
            case "character varying" or "varchar" or "text":
                type = ColumnType.String;
                return true;
            case "bigint" or "int8":
                type = ColumnType.Int64;
                return true;
            case "boolean" or "bool":
                type = ColumnType.Boolean;
                return true;
            case "date":
                type = ColumnType.Date;
                return true;
            case "timestamp with time zone" or "timestamptz":
                type = ColumnType.Timestamp;
                return true;
            case "numeric" or "decimal"
                when numericPrecision is >= 1 and <= ColumnType.MaxDecimalPrecision && numericScale is { } s && s >= 0 && s <= numericPrecision:
                type = ColumnType.Decimal(numericPrecision.Value, s);
                return true;
            default:
                type = default;
                return false;
        }
    }

    internal static string Table(string schema, string table) => $"{Identifier(schema)}.{Identifier(table)}";

    internal static string CreateSchema(string schema) => $"CREATE SCHEMA IF NOT EXISTS {Identifier(schema)}";

    internal static string CreateLedger(string schema) =>
        $"""
        CREATE TABLE IF NOT EXISTS {Table(schema, LedgerTable)} (
            "load_id" VARCHAR(1024) NOT NULL PRIMARY KEY,
            "connector" VARCHAR(256) NOT NULL,
            "run_id" VARCHAR(256) NOT NULL,
            "object" VARCHAR(256) NOT NULL,
            "window_start" TIMESTAMPTZ,
            "window_end" TIMESTAMPTZ NOT NULL,
            "rows" BIGINT NOT NULL,
            "inserted" BIGINT NOT NULL,
            "updated" BIGINT NOT NULL,
            "deleted" BIGINT NOT NULL,
            "loaded_at" TIMESTAMPTZ NOT NULL)
        """;

    /// <summary>Returns (column_name, data_type, numeric_precision, numeric_scale) in table order.</summary>
    internal static string SelectColumns(string schema, string table) =>
        $"""
        SELECT column_name, data_type, numeric_precision, numeric_scale
        FROM information_schema.columns
        WHERE table_schema = {Literal(schema)} AND table_name = {Literal(table)}
        ORDER BY ordinal_position
        """;

    /// <summary>The target table; string columns are as wide as Redshift allows.</summary>
    internal static string CreateTable(string schema, string table, IReadOnlyList<ColumnSchema> columns)
    {
        var sql = new StringBuilder();
        sql.Append("CREATE TABLE IF NOT EXISTS ").Append(Table(schema, table)).Append(" (");
        foreach (var c in columns)
        {
            sql.Append(Identifier(c.Name)).Append(' ').Append(TypeName(c.Type));
            if (c.Name == ObjectSchema.PrimaryKey)
            {
                sql.Append(" NOT NULL");
            }

            sql.Append(", ");
        }

        // _synced_at may be NULL so that the staging table, made LIKE the target, takes COPY's rows without it.
        sql.Append(Identifier(ObjectSchema.DeletedColumn)).Append(" BOOLEAN NOT NULL, ")
            .Append(Identifier(ObjectSchema.SyncedAtColumn)).Append(" TIMESTAMPTZ, ")
            .Append("PRIMARY KEY (").Append(Identifier(ObjectSchema.PrimaryKey)).Append("))");
        return sql.ToString();
    }

    internal static string AddColumn(string schema, string table, ColumnSchema column) =>
        $"ALTER TABLE {Table(schema, table)} ADD COLUMN {Identifier(column.Name)} {TypeName(column.Type)}";

    /// <summary>The JSON of a Redshift COPY manifest listing the parts (all mandatory, with their sizes).</summary>
    public static byte[] CopyManifestJson(IReadOnlyList<(string Url, long Bytes)> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("entries");
            foreach (var (url, bytes) in parts)
            {
                json.WriteStartObject();
                json.WriteString("url", url);
                json.WriteBoolean("mandatory", true);
                json.WriteStartObject("meta");
                json.WriteNumber("content_length", bytes);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>What COPY needs besides the columns: where the COPY manifest is, the role Redshift reads S3 with, and options.</summary>
    internal sealed record CopySource(string ManifestUrl, string IamRoleArn, string? Region, bool TruncateLongStrings);

    /// <summary>
    /// The statements of one manifest's load, run by the Data API as one transaction: stage (COPY), skip a
    /// replay, keep one row per id, classify against the target, count, insert, update, record in the ledger.
    /// Sub-statement <see cref="LoadStatements.CountIndex"/> returns (inserted, updated, deleted, unchanged, already_loaded).
    /// A historical manifest (no window start) is a snapshot: the live target rows it lacks, with <c>updateddate</c>
    /// before the window end or none, are found before the merge, marked deleted after it and counted as deleted.
    /// A row becoming deleted keeps the target's value wherever the batch has none (a tombstone may carry only id and
    /// updateddate).
    /// </summary>
    /// <remarks>
    /// A manifest without parts (an incremental window with no changes) has no COPY: Redshift refuses a COPY
    /// manifest without entries. The rest still runs, so the ledger records the load.
    /// </remarks>
    internal static LoadStatements Load(string schema, StagedManifest manifest, IReadOnlyList<ColumnSchema> columns, CopySource? copy, DateTimeOffset syncedAt)
    {
        var target = Table(schema, manifest.ObjectName);
        var ledger = Table(schema, LedgerTable);
        var loadId = Literal(manifest.LoadId);
        var id = Identifier(ObjectSchema.PrimaryKey);
        var cursor = Identifier(ObjectSchema.CursorColumn);
        var deleted = Identifier(ObjectSchema.DeletedColumn);
        var action = Identifier(ActionColumn);
        var was = Identifier(WasDeletedColumn);
        var names = string.Join(", ", columns.Select(c => Identifier(c.Name)).Append(deleted));

        var statements = new List<string> { $"CREATE TEMP TABLE {Identifier(StagedTable)} (LIKE {target})" };
        var copyIndex = -1;
        if (copy is not null)
        {
            copyIndex = statements.Count;
            statements.Add(Copy(columns, copy));
        }

        statements.AddRange(
        [
            $"DELETE FROM {Identifier(StagedTable)} WHERE EXISTS (SELECT 1 FROM {ledger} WHERE \"load_id\" = {loadId})",

            // One row per id: the newest updateddate; on a tie a deleted row wins.
            $"""
            CREATE TEMP TABLE {Identifier(BatchTable)} AS
            SELECT {names} FROM (
                SELECT {names}, ROW_NUMBER() OVER (PARTITION BY {id} ORDER BY {cursor} DESC NULLS LAST, {deleted} DESC) AS {Identifier(RankColumn)}
                FROM {Identifier(StagedTable)}) AS ranked
            WHERE {Identifier(RankColumn)} = 1
            """,
            Classify(target, columns),
        ]);

        var snapshot = manifest.WindowStart is null;
        var absentCount = "0";
        if (snapshot)
        {
            // Empty on a replay: the staged rows were removed above, and every target row would look absent.
            statements.Add(
                $"""
                CREATE TEMP TABLE {Identifier(AbsentTable)} AS
                SELECT t.{id} FROM {target} AS t
                WHERE NOT t.{deleted}
                    AND (t.{cursor} < {TimestampLiteral(manifest.WindowEnd)} OR t.{cursor} IS NULL)
                    AND NOT EXISTS (SELECT 1 FROM {Identifier(BatchTable)} AS b WHERE b.{id} = t.{id})
                    AND NOT EXISTS (SELECT 1 FROM {ledger} WHERE "load_id" = {loadId})
                """);
            absentCount = $"(SELECT COUNT(*) FROM {Identifier(AbsentTable)})";
        }

        var inserted = $"COALESCE(SUM(CASE WHEN {action} = {Literal(InsertAction)} AND NOT {deleted} THEN 1 ELSE 0 END), 0)";
        var updated = $"COALESCE(SUM(CASE WHEN {action} = {Literal(UpdateAction)} AND NOT ({deleted} AND NOT {was}) THEN 1 ELSE 0 END), 0)";
        var deletedCount = $"COALESCE(SUM(CASE WHEN ({action} = {Literal(InsertAction)} AND {deleted}) OR ({action} = {Literal(UpdateAction)} AND {deleted} AND NOT {was}) THEN 1 ELSE 0 END), 0) + {absentCount}";
        var unchanged = $"COALESCE(SUM(CASE WHEN {action} = {Literal(UnchangedAction)} THEN 1 ELSE 0 END), 0)";
        var countIndex = statements.Count;
        statements.Add(
            $"""
            SELECT {inserted} AS inserted, {updated} AS updated, {deletedCount} AS deleted, {unchanged} AS unchanged,
                (SELECT COUNT(*) FROM {ledger} WHERE "load_id" = {loadId}) AS already_loaded
            FROM {Identifier(ClassifiedTable)}
            """);

        var synced = TimestampLiteral(syncedAt);
        statements.Add(
            $"""
            INSERT INTO {target} ({names}, {Identifier(ObjectSchema.SyncedAtColumn)})
            SELECT {names}, {synced} FROM {Identifier(ClassifiedTable)} WHERE {action} = {Literal(InsertAction)}
            """);

        var set = string.Join(", ", columns.Where(c => c.Name != ObjectSchema.PrimaryKey)
            .Select(c => Identifier(c.Name))
            .Select(n => $"{n} = CASE WHEN k.{deleted} THEN COALESCE(k.{n}, {target}.{n}) ELSE k.{n} END")
            .Append($"{deleted} = k.{deleted}"));
        statements.Add(
            $"""
            UPDATE {target} SET {set}, {Identifier(ObjectSchema.SyncedAtColumn)} = {synced}
            FROM {Identifier(ClassifiedTable)} AS k
            WHERE {target}.{id} = k.{id} AND k.{action} = {Literal(UpdateAction)}
            """);
        if (snapshot)
        {
            statements.Add(
                $"""
                UPDATE {target} SET {deleted} = TRUE, {Identifier(ObjectSchema.SyncedAtColumn)} = {synced}
                FROM {Identifier(AbsentTable)} AS a
                WHERE {target}.{id} = a.{id}
                """);
        }

        var window = manifest.WindowStart is { } start ? TimestampLiteral(start) : "CAST(NULL AS TIMESTAMPTZ)";
        statements.Add(
            $"""
            INSERT INTO {ledger} ("load_id", "connector", "run_id", "object", "window_start", "window_end", "rows", "inserted", "updated", "deleted", "loaded_at")
            SELECT {loadId}, {Literal(manifest.ConnectorId)}, {Literal(manifest.RunId)}, {Literal(manifest.ObjectName)}, {window}, {TimestampLiteral(manifest.WindowEnd)},
                {manifest.Rows.ToString(CultureInfo.InvariantCulture)}, counts.inserted, counts.updated, counts.deleted, {synced}
            FROM (SELECT {inserted} AS inserted, {updated} AS updated, {deletedCount} AS deleted FROM {Identifier(ClassifiedTable)}) AS counts
            WHERE NOT EXISTS (SELECT 1 FROM {ledger} WHERE "load_id" = {loadId})
            """);

        foreach (var temp in snapshot ? [AbsentTable, ClassifiedTable, BatchTable, StagedTable] : new[] { ClassifiedTable, BatchTable, StagedTable })
        {
            statements.Add($"DROP TABLE {Identifier(temp)}");
        }

        return new LoadStatements(statements, copyIndex, countIndex);
    }

    /// <summary>COPY from the staged parts, stating every option of the staged CSV dialect (<see cref="CsvFormat"/>).</summary>
    internal static string Copy(IReadOnlyList<ColumnSchema> columns, CopySource copy)
    {
        var sql = new StringBuilder();
        sql.Append("COPY ").Append(Identifier(StagedTable)).Append(" (")
            .AppendJoin(", ", columns.Select(c => Identifier(c.Name)).Append(Identifier(ObjectSchema.DeletedColumn))).Append(")\n")
            .Append("FROM ").Append(Literal(copy.ManifestUrl)).Append('\n')
            .Append("IAM_ROLE ").Append(Literal(copy.IamRoleArn)).Append('\n')
            .Append("FORMAT AS CSV QUOTE AS ").Append(Literal(CsvFormat.Quote.ToString()))
            .Append(" DELIMITER AS ").Append(Literal(CsvFormat.Delimiter.ToString()))
            .Append(" NULL AS ").Append(Literal(CsvFormat.NullMarker))
            .Append(" GZIP MANIFEST\n")
            .Append("TIMEFORMAT 'auto' DATEFORMAT 'auto' COMPUPDATE OFF STATUPDATE OFF");
        if (copy.Region is { } region)
        {
            sql.Append(" REGION ").Append(Literal(region));
        }

        if (copy.TruncateLongStrings)
        {
            sql.Append(" TRUNCATECOLUMNS");
        }

        return sql.ToString();
    }

    /// <summary>Tags every batch row: insert (id not in the target), update (newer, or as new with any difference), or unchanged.</summary>
    private static string Classify(string target, IReadOnlyList<ColumnSchema> columns)
    {
        var id = Identifier(ObjectSchema.PrimaryKey);
        var cursor = Identifier(ObjectSchema.CursorColumn);
        var deleted = Identifier(ObjectSchema.DeletedColumn);
        var differs = string.Join(" OR ", columns.Select(c => Identifier(c.Name)).Append(deleted).Select(n => Differs($"b.{n}", $"t.{n}")));
        return $"""
            CREATE TEMP TABLE {Identifier(ClassifiedTable)} AS
            SELECT b.*,
                CASE
                    WHEN t.{id} IS NULL THEN {Literal(InsertAction)}
                    WHEN b.{cursor} > t.{cursor} OR (t.{cursor} IS NULL AND b.{cursor} IS NOT NULL) THEN {Literal(UpdateAction)}
                    WHEN {Same($"b.{cursor}", $"t.{cursor}")} AND (CASE WHEN b.{deleted} THEN {Differs($"b.{deleted}", $"t.{deleted}")} ELSE ({differs}) END) THEN {Literal(UpdateAction)}
                    ELSE {Literal(UnchangedAction)}
                END AS {Identifier(ActionColumn)},
                t.{deleted} AS {Identifier(WasDeletedColumn)}
            FROM {Identifier(BatchTable)} AS b
            LEFT JOIN {target} AS t ON t.{id} = b.{id}
            """;
    }

    /// <summary>Null-safe equality (Redshift has no <c>IS NOT DISTINCT FROM</c>): true when both are NULL or both equal.</summary>
    private static string Same(string a, string b) => $"(COALESCE({a} = {b}, FALSE) OR ({a} IS NULL AND {b} IS NULL))";

    private static string Differs(string a, string b) => $"NOT {Same(a, b)}";

    /// <summary>A page of at most <paramref name="pageSize"/> live rows whose id sorts after <paramref name="afterId"/>, in id order.</summary>
    internal static string SelectLivePage(string schema, string table, IReadOnlyList<ColumnSchema> columns, string? afterId, int pageSize) =>
        string.Create(CultureInfo.InvariantCulture, $"""
        SELECT {string.Join(", ", columns.Select(c => Identifier(c.Name)))}
        FROM {Table(schema, table)}
        WHERE NOT {Identifier(ObjectSchema.DeletedColumn)}{(afterId is null ? "" : $" AND {Identifier(ObjectSchema.PrimaryKey)} > {Literal(afterId)}")}
        ORDER BY {Identifier(ObjectSchema.PrimaryKey)}
        LIMIT {pageSize}
        """);

    /// <summary>
    /// The load errors COPY recorded in SYS_LOAD_ERROR_DETAIL for files under <paramref name="urlPrefix"/> (this
    /// load's staging folder), newest first: (file_name, line_number, column_name, column_type, error_code,
    /// error_message). The view's text columns are blank-padded CHAR.
    /// </summary>
    internal static string SelectLoadErrors(string urlPrefix, int limit) =>
        string.Create(CultureInfo.InvariantCulture, $"""
        SELECT TRIM(file_name), line_number, TRIM(column_name), TRIM(column_type), error_code, TRIM(error_message)
        FROM sys_load_error_detail
        WHERE LEFT(TRIM(file_name), {urlPrefix.Length}) = {Literal(urlPrefix)}
        ORDER BY start_time DESC, line_number
        LIMIT {limit}
        """);
}

/// <summary>The statements of one load and which of them matter to the caller.</summary>
/// <param name="Sqls">the statements, in order, for one BatchExecuteStatement</param>
/// <param name="CopyIndex">the COPY's position (0-based; -1 without parts): a failure there is explained by the load errors</param>
/// <param name="CountIndex">the position of the statement returning the outcome counts</param>
internal sealed record LoadStatements(IReadOnlyList<string> Sqls, int CopyIndex, int CountIndex);
