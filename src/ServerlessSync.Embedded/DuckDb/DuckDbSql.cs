using System.Globalization;
using System.Text;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Sql;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Embedded.DuckDb;

/// <summary>
/// The SQL text only the DuckDB warehouse sends (its dialect's pieces, reading the staged CSV, checking what was
/// staged, the catalog); the merge and schema evolution are Core's (<see cref="LoadSql"/>, <see cref="SchemaEvolution"/>)
/// through <see cref="DuckDbDialect"/>. Identifiers always go through <see cref="Identifier"/>; values are parameters
/// (<c>$name</c>) or, where DuckDB takes no parameter, go through <see cref="Literal"/>, the one escape function.
/// </summary>
public static class DuckDbSql
{
    /// <summary>DuckDB's default (2 MB) is too small for a long notes field; a longer line fails naming file and line.</summary>
    public const int MaxLineBytes = 8 * 1024 * 1024;

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

    internal static string Temp(string table) => $"temp.main.{Identifier(table)}";

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

    /// <summary>The read_csv call for the staged dialect (<see cref="CsvFormat"/>): nothing sniffed, every option stated.</summary>
    internal static string ReadCsv(IReadOnlyList<ColumnSchema> columns, IReadOnlyList<string> files, string nullMarker, StagingCodec codec)
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
            .Append(", nullstr = ").Append(Literal(nullMarker))
            .Append(", allow_quoted_nulls = false")
            .Append(", strict_mode = true")
            .Append(", ignore_errors = false")
            .Append(", null_padding = false")
            .Append(", skip = 0")
            .Append(", encoding = ").Append(Literal("utf-8"))
            .Append(", compression = ").Append(Literal(codec.Name()))
            .Append(", max_line_size = ").Append(MaxLineBytes.ToString(CultureInfo.InvariantCulture))
            // DuckDB's default read buffer is 16 × max_line_size per reader; two lines' worth is enough and
            // keeps a load inside the warehouse's memory limit.
            .Append(", buffer_size = ").Append((2 * MaxLineBytes).ToString(CultureInfo.InvariantCulture))
            .Append(", parallel = true")
            .Append(')');
        return sql.ToString();
    }

    /// <summary>Loads every part into the staging table; its rowid keeps file and line order.</summary>
    internal static string StageParts(string stagedTable, IReadOnlyList<ColumnSchema> columns, IReadOnlyList<string> files, string nullMarker, StagingCodec codec) =>
        $"CREATE TEMP TABLE {Identifier(stagedTable)} AS SELECT * FROM {ReadCsv(columns, files, nullMarker, codec)}";

    /// <summary>An empty staging table of the same shape, for a manifest without parts.</summary>
    internal static string CreateEmptyStaged(string stagedTable, IReadOnlyList<ColumnSchema> columns)
    {
        var sql = new StringBuilder();
        sql.Append("CREATE TEMP TABLE ").Append(Identifier(stagedTable)).Append(" (");
        foreach (var c in columns)
        {
            sql.Append(Identifier(c.Name)).Append(' ').Append(TypeName(c.Type)).Append(", ");
        }

        sql.Append(Identifier(ObjectSchema.DeletedColumn)).Append(" BOOLEAN)");
        return sql.ToString();
    }

    /// <summary>Returns (rows, rows lacking id or _deleted) of <paramref name="stagedRows"/> (<see cref="LoadStatements.StagedRows"/>).</summary>
    internal static string CheckStaged(string stagedRows) =>
        $"""
        SELECT count(*), count(*) FILTER (WHERE {Identifier(ObjectSchema.PrimaryKey)} IS NULL OR {Identifier(ObjectSchema.DeletedColumn)} IS NULL)
        FROM {stagedRows}
        """;

    /// <summary>Per file: (filename, rows, rows lacking id or _deleted); run only to explain a failed check.</summary>
    internal static string CountPerFile(IReadOnlyList<ColumnSchema> columns, IReadOnlyList<string> files, string nullMarker, StagingCodec codec) =>
        $"""
        SELECT filename, count(*), count(*) FILTER (WHERE {Identifier(ObjectSchema.PrimaryKey)} IS NULL OR {Identifier(ObjectSchema.DeletedColumn)} IS NULL)
        FROM {ReadCsv(columns, files, nullMarker, codec)}
        GROUP BY filename
        """;

    /// <summary>
    /// The database instance's settings, a statement each: its memory cap (beyond it DuckDB spills to its temp
    /// directory), its worker threads, and how much memory freed in bulk its allocator may keep before handing it back.
    /// </summary>
    /// <param name="memoryLimitBytes">the memory cap, at least 16 MiB</param>
    /// <param name="threads">the worker threads, at least 1</param>
    /// <param name="allocatorReturnBytes">the bulk-free threshold, at least 1 MiB</param>
    internal static IReadOnlyList<string> InstanceSettings(long memoryLimitBytes, int threads, long allocatorReturnBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(memoryLimitBytes, 16L * 1024 * 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(allocatorReturnBytes, 1024L * 1024);
        return
        [
            MiBSetting("memory_limit", memoryLimitBytes),
            string.Create(CultureInfo.InvariantCulture, $"SET threads = {threads}"),
            MiBSetting("allocator_bulk_deallocation_flush_threshold", allocatorReturnBytes),
        ];
    }

    private static string MiBSetting(string name, long bytes) =>
        string.Create(CultureInfo.InvariantCulture, $"SET {name} = {Literal($"{bytes / (1024 * 1024)}MiB")}");
}
