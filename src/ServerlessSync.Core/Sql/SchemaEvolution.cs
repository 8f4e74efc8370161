using System.Text;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Core.Sql;

/// <summary>
/// Schema evolution, once for every warehouse: from the catalog's columns of a table and a manifest's schema, what
/// to create or add before a load, and what the table looks like in source form. Names match case-insensitively on
/// every warehouse (Redshift folds unquoted identifiers to lower case; DuckDB binds them case-insensitively); the
/// load then uses the table's own spelling.
/// </summary>
public static class SchemaEvolution
{
    /// <summary>The pipeline's own columns of every target table, and the type each must have.</summary>
    private static readonly (string Name, ColumnType Type)[] PipelineColumns =
    [
        (ObjectSchema.DeletedColumn, ColumnType.Boolean),
        (ObjectSchema.SyncedAtColumn, ColumnType.Timestamp),
    ];

    /// <summary>True for <c>_deleted</c> and <c>_synced_at</c>, in any case.</summary>
    public static bool IsPipelineColumn(string name) =>
        PipelineColumns.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// What a load of <paramref name="wanted"/> needs first: with no table (<paramref name="existing"/> empty),
    /// schema, ledger and table; else the columns the table lacks, added at its end (with the ledger, in case it went
    /// missing). Throws <see cref="InvalidDataException"/> when the table lacks a pipeline column of the right type,
    /// and <see cref="SchemaChangeException"/> when a column would change type.
    /// </summary>
    /// <param name="dialect">the warehouse's dialect</param>
    /// <param name="schema">the warehouse schema</param>
    /// <param name="wanted">the manifest's schema</param>
    /// <param name="existing">the table's columns as the catalog lists them, in table order; empty when there is no table</param>
    /// <param name="schemaExists">
    /// whether the catalog lists the schema: then no CREATE SCHEMA is sent, not even IF NOT EXISTS, which needs the
    /// database-level CREATE privilege a customer may have withheld after creating the schema and granting ALL on it
    /// (and <c>public</c> always exists)
    /// </param>
    public static SchemaPlan Plan(SqlDialect dialect, string schema, ObjectSchema wanted, IReadOnlyList<CatalogColumn> existing, bool schemaExists = false)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentNullException.ThrowIfNull(existing);
        if (existing.Count == 0)
        {
            List<string> create = schemaExists ? [] : [LoadSql.CreateSchema(schema)];
            create.Add(LoadSql.CreateLedger(dialect, schema));
            create.Add(CreateTable(dialect, schema, wanted.Name, wanted.Columns));
            return new SchemaPlan(create, wanted.Columns);
        }

        var table = $"{schema}.{wanted.Name}";
        var byName = new Dictionary<string, CatalogColumn>(StringComparer.OrdinalIgnoreCase);
        foreach (var column in existing)
        {
            byName.TryAdd(column.Name, column);
        }

        foreach (var (name, type) in PipelineColumns)
        {
            if (!byName.TryGetValue(name, out var column) || !dialect.TryParseType(column, out var actual) || actual != type)
            {
                throw new InvalidDataException($"table {table} has no {dialect.TypeName(type)} column '{name}'; it was not created by this pipeline");
            }
        }

        var columns = new List<ColumnSchema>(wanted.Columns.Count);
        var statements = new List<string>();
        foreach (var column in wanted.Columns)
        {
            if (!byName.TryGetValue(column.Name, out var current))
            {
                statements.Add(AddColumn(dialect, schema, wanted.Name, column));
                columns.Add(column);
            }
            else if (dialect.TryParseType(current, out var type) && type == column.Type)
            {
                columns.Add(column with { Name = current.Name });
            }
            else
            {
                throw new SchemaChangeException(table, column.Name, TypeText(dialect, current), column.Type.ToString());
            }
        }

        if (statements.Count > 0)
        {
            statements.Insert(0, LoadSql.CreateLedger(dialect, schema));
        }

        var loaded = new HashSet<string>(columns.Select(c => c.Name), StringComparer.OrdinalIgnoreCase);
        var kept = existing.Select(c => c.Name).Where(n => !IsPipelineColumn(n) && loaded.Add(n)).ToList();
        return new SchemaPlan(statements, columns) { KeptColumns = kept };
    }

    /// <summary>
    /// The table in source form, without the pipeline's columns; null when the catalog lists no column (no table).
    /// Throws <see cref="InvalidDataException"/> for a column of a type the pipeline never creates.
    /// </summary>
    public static ObjectSchema? Describe(SqlDialect dialect, string schema, string objectName, IReadOnlyList<CatalogColumn> existing)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(existing);
        if (existing.Count == 0)
        {
            return null;
        }

        var columns = new List<ColumnSchema>(existing.Count);
        foreach (var column in existing.Where(c => !IsPipelineColumn(c.Name)))
        {
            if (!dialect.TryParseType(column, out var type))
            {
                throw new InvalidDataException($"table {schema}.{objectName}: column '{column.Name}' has type {column.DataType}, which the pipeline never creates");
            }

            columns.Add(new ColumnSchema(column.Name, type));
        }

        return new ObjectSchema(objectName, columns);
    }

    /// <summary>The target table: the object's columns, then <c>_deleted</c> and <c>_synced_at</c>.</summary>
    public static string CreateTable(SqlDialect dialect, string schema, string table, IReadOnlyList<ColumnSchema> columns)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(columns);
        var sql = new StringBuilder();
        sql.Append("CREATE TABLE IF NOT EXISTS ").Append(LoadSql.Table(schema, table)).Append(" (");
        foreach (var c in columns)
        {
            sql.Append(SqlText.QuoteIdentifier(c.Name)).Append(' ').Append(dialect.TypeName(c.Type));
            if (dialect.DeclaresPrimaryKey && c.Name == ObjectSchema.PrimaryKey)
            {
                sql.Append(" NOT NULL");
            }

            sql.Append(", ");
        }

        sql.Append(SqlText.QuoteIdentifier(ObjectSchema.DeletedColumn)).Append(' ').Append(dialect.TypeName(ColumnType.Boolean)).Append(" NOT NULL, ")
            .Append(SqlText.QuoteIdentifier(ObjectSchema.SyncedAtColumn)).Append(' ').Append(dialect.TypeName(ColumnType.Timestamp))
            .Append(dialect.SyncedAtNullable ? "" : " NOT NULL");
        if (dialect.DeclaresPrimaryKey)
        {
            sql.Append(", PRIMARY KEY (").Append(SqlText.QuoteIdentifier(ObjectSchema.PrimaryKey)).Append(')');
        }

        return sql.Append(')').ToString();
    }

    public static string AddColumn(SqlDialect dialect, string schema, string table, ColumnSchema column)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(column);
        return $"ALTER TABLE {LoadSql.Table(schema, table)} ADD COLUMN {SqlText.QuoteIdentifier(column.Name)} {dialect.TypeName(column.Type)}";
    }

    private static string TypeText(SqlDialect dialect, CatalogColumn column) =>
        dialect.TryParseType(column, out var type) ? type.ToString() : column.DataType;
}

/// <summary>What a load does to the table before its batch, and the columns it then loads.</summary>
/// <param name="Statements">DDL to run first, in order; empty when the table is ready</param>
/// <param name="Columns">the manifest's columns, each spelled as the table spells it</param>
public sealed record SchemaPlan(IReadOnlyList<string> Statements, IReadOnlyList<ColumnSchema> Columns)
{
    /// <summary>The table's columns the manifest lacks (not the pipeline's), in table order: a load leaves their values as they are.</summary>
    public IReadOnlyList<string> KeptColumns { get; init; } = [];
}
