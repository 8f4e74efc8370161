using System.Globalization;
using System.Text;
using System.Text.Json;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Sql;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Aws.Redshift;

/// <summary>
/// The SQL text only the Redshift warehouse sends (its dialect's pieces, COPY and its manifest, the catalog, the load
/// errors); the merge and schema evolution are Core's (<see cref="LoadSql"/>, <see cref="SchemaEvolution"/>) through
/// <see cref="RedshiftDialect"/>. Identifiers always go through <see cref="Identifier"/>; values are literals escaped
/// by <see cref="Literal"/>, the one escape function (the Data API's parameters cannot carry NULL or an empty string,
/// and COPY and DDL take none). The SQL keeps to what Redshift and PostgreSQL (the test double's engine) both accept:
/// no <c>IS DISTINCT FROM</c>, <c>FILTER</c>, <c>QUALIFY</c> or <c>MERGE</c>.
/// </summary>
public static class RedshiftSql
{
    /// <summary>Redshift's largest VARCHAR, in bytes: every string column is created this wide.</summary>
    public const int MaxVarcharBytes = 65535;

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

    /// <summary>
    /// Returns (column_name, data_type, numeric_precision, numeric_scale) in table order. Names match
    /// case-insensitively, as on DuckDB: Redshift folds identifiers to lower case.
    /// </summary>
    internal static string SelectColumns(string schema, string table) =>
        $"""
        SELECT column_name, data_type, numeric_precision, numeric_scale
        FROM information_schema.columns
        WHERE LOWER(table_schema) = LOWER({Literal(schema)}) AND LOWER(table_name) = LOWER({Literal(table)})
        ORDER BY ordinal_position
        """;

    /// <summary>Returns the number of schemas named <paramref name="schema"/> (0 or 1): pg_namespace lists every schema to every user.</summary>
    internal static string CountSchemas(string schema) =>
        $"SELECT COUNT(*) FROM pg_namespace WHERE nspname = LOWER({Literal(schema)})";

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

    /// <summary>What COPY needs besides the columns: where the COPY manifest is, the parts' NULL marker, the role Redshift reads S3 with, and options.</summary>
    internal sealed record CopySource(string ManifestUrl, string NullMarker, string IamRoleArn, string? Region, bool TruncateLongStrings, StagingCodec Codec = StagingCodec.Gzip);

    /// <summary>COPY from the staged parts, stating every option of the staged CSV dialect (<see cref="CsvFormat"/>).</summary>
    internal static string Copy(string stagedTable, IReadOnlyList<ColumnSchema> columns, CopySource copy)
    {
        var sql = new StringBuilder();
        sql.Append("COPY ").Append(Identifier(stagedTable)).Append(" (")
            .AppendJoin(", ", columns.Select(c => Identifier(c.Name)).Append(Identifier(ObjectSchema.DeletedColumn))).Append(")\n")
            .Append("FROM ").Append(Literal(copy.ManifestUrl)).Append('\n')
            .Append("IAM_ROLE ").Append(Literal(copy.IamRoleArn)).Append('\n')
            .Append("FORMAT AS CSV QUOTE AS ").Append(Literal(CsvFormat.Quote.ToString()))
            .Append(" DELIMITER AS ").Append(Literal(CsvFormat.Delimiter.ToString()))
            .Append(" NULL AS ").Append(Literal(copy.NullMarker))
            .Append(' ').Append(copy.Codec.Name().ToUpperInvariant()).Append(" MANIFEST\n")
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
