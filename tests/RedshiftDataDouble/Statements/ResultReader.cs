using System.Text;
using Npgsql;

namespace RedshiftDataDouble.Statements;

/// <summary>
/// Reads a result set as PostgreSQL's text output (the session has TimeZone UTC, so a timestamptz reads
/// <c>2024-05-01 10:00:00.123456+00</c>) and describes its columns with Redshift's type names.
/// </summary>
internal sealed class ResultReader
{
    private readonly List<(string Name, uint TypeOid, string InternalName, int Precision, int Scale, uint TableOid, short Attribute)> _columns = [];
    private readonly List<string?[]> _rows = [];
    private long _size;
    private long _rowCount;
    private string? _limitExceeded;

    /// <summary>
    /// Reads every row. A row over <paramref name="maxRowBytes"/> or a result over <paramref name="maxResultBytes"/> (UTF-8
    /// bytes of the values) is noted as the Data API's limit error, and the rows are no longer kept (only counted).
    /// </summary>
    public static async Task<ResultReader> ReadAsync(NpgsqlDataReader reader, int maxRowBytes, long maxResultBytes, CancellationToken cancellationToken)
    {
        var result = new ResultReader();
        var schema = reader.GetColumnSchema();
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var column = schema[i];
            var internalName = reader.GetPostgresType(i).InternalName;
            var precision = internalName switch
            {
                "numeric" => column.NumericPrecision ?? 0,
                "varchar" or "bpchar" => column.ColumnSize ?? 0,
                _ => 0,
            };
            result._columns.Add((reader.GetName(i), column.TypeOID, internalName, precision, column.NumericScale ?? 0, column.TableOID, column.ColumnAttributeNumber ?? 0));
        }

        long resultBytes = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new string?[reader.FieldCount];
            long rowBytes = 0;
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetString(i);
                result._size += row[i]?.Length ?? 0;
                rowBytes += row[i] is { } value ? Encoding.UTF8.GetByteCount(value) : 0;
            }

            resultBytes += rowBytes;
            result._rowCount++;
            result._limitExceeded ??= rowBytes > maxRowBytes
                ? $"Packet for query is too large: row {result._rowCount} of the result has {rowBytes} bytes; the Data API's limit is {maxRowBytes} bytes per row."
                : resultBytes > maxResultBytes
                    ? $"Database response exceeded size limit: the result has more than {maxResultBytes} bytes, the Data API's limit; fetch it in parts (LIMIT)."
                    : null;
            if (result._limitExceeded is null)
            {
                result._rows.Add(row);
            }
            else
            {
                result._rows.Clear();
            }
        }

        return result;
    }

    /// <summary>Completes the column descriptions from the catalog (nullability, table and schema), once the reader is closed.</summary>
    public async Task<ResultSet> DescribeColumnsAsync(NpgsqlConnection session, CancellationToken cancellationToken)
    {
        var tableOids = _columns.Where(c => c.TableOid != 0).Select(c => (long)c.TableOid).Distinct().ToArray();
        var catalog = new Dictionary<(long, short), (bool NotNull, string Table, string Schema)>();
        if (tableOids.Length > 0)
        {
            await using var query = new NpgsqlCommand(
                """
                SELECT c.oid::int8, a.attnum, a.attnotnull, c.relname::text, n.nspname::text
                FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
                WHERE c.oid::int8 = ANY($1)
                """,
                session);
            query.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = tableOids });
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                catalog[(reader.GetInt64(0), reader.GetInt16(1))] = (reader.GetBoolean(2), reader.GetString(3), reader.GetString(4));
            }
        }

        var columns = _columns.Select(c =>
        {
            var known = catalog.TryGetValue((c.TableOid, c.Attribute), out var info);
            var kind = FieldKindOf(c.TypeOid);
            var typeName = RedshiftTypeName(c.InternalName);
            return new ResultColumn(
                c.Name,
                typeName,
                kind,
                c.Precision,
                c.Scale,
                Nullable: known && info.NotNull ? 0 : 1,
                SchemaName: known ? info.Schema : "",
                TableName: known ? info.Table : "",
                IsSigned: kind is FieldKind.Long or FieldKind.Double || typeName == "numeric",
                IsCaseSensitive: typeName is "varchar" or "bpchar" or "name");
        }).ToList();
        return new ResultSet(columns, _rows, _size) { RowCount = _rowCount, LimitExceeded = _limitExceeded };
    }

    // The Data API's typing of Redshift values: integers as longValue, booleans as booleanValue, floating
    // point as doubleValue, everything else (numeric, character, date and time types) as stringValue.
    private static FieldKind FieldKindOf(uint typeOid) => typeOid switch
    {
        20 or 21 or 23 => FieldKind.Long,
        16 => FieldKind.Boolean,
        700 or 701 => FieldKind.Double,
        _ => FieldKind.String,
    };

    // PostgreSQL's internal names are Redshift's (int8, int4, numeric, bool, varchar, bpchar, date, timestamptz,
    // float8…) except for the types Redshift lacks: text and unknown literals read as varchar there.
    private static string RedshiftTypeName(string internalName) => internalName switch
    {
        "text" or "unknown" => "varchar",
        var name => name,
    };
}
