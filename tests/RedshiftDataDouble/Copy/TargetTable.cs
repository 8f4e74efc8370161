using Npgsql;

namespace RedshiftDataDouble.Copy;

/// <summary>A column of a COPY's target table, as the catalog describes it.</summary>
internal sealed record TargetColumn(string Name, string PostgresTypeName, int TypeModifier, bool NotNull)
{
    /// <summary>The type as Redshift names it in load errors (PostgreSQL's <c>bpchar</c> is Redshift's <c>char</c>; Redshift has no <c>text</c>).</summary>
    public string RedshiftTypeName => PostgresTypeName switch
    {
        "bpchar" => "char",
        "text" => "varchar",
        var name => name,
    };

    /// <summary>The declared length of a CHAR or VARCHAR column.</summary>
    public int? Length => PostgresTypeName is "varchar" or "bpchar" && TypeModifier >= 4 ? TypeModifier - 4 : null;
}

/// <summary>The target of a COPY: its oid (Redshift's <c>table_id</c>) and columns in order.</summary>
internal sealed record TargetTable(long Oid, IReadOnlyList<TargetColumn> Columns)
{
    /// <summary>Reads the table in the COPY's own session, where its temp tables are visible; a missing table fails as in Redshift.</summary>
    public static async Task<TargetTable> DescribeAsync(NpgsqlConnection session, string qualifiedTable, CancellationToken cancellationToken)
    {
        await using var query = new NpgsqlCommand(
            """
            SELECT c.oid::int8, a.attname::text, t.typname::text, a.atttypmod, a.attnotnull
            FROM pg_class c
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            JOIN pg_type t ON t.oid = a.atttypid
            WHERE c.oid = $1::regclass
            ORDER BY a.attnum
            """,
            session);
        query.Parameters.Add(new NpgsqlParameter<string> { TypedValue = qualifiedTable });
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        long oid = 0;
        var columns = new List<TargetColumn>();
        while (await reader.ReadAsync(cancellationToken))
        {
            oid = reader.GetInt64(0);
            columns.Add(new TargetColumn(reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetBoolean(4)));
        }

        return new TargetTable(oid, columns);
    }
}
