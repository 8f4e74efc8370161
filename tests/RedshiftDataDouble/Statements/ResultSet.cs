namespace RedshiftDataDouble.Statements;

/// <summary>Which member of the Data API's <c>Field</c> union carries a column's values.</summary>
internal enum FieldKind
{
    Long,
    Boolean,
    Double,
    String,
}

/// <summary>A result column, described as the Data API's <c>ColumnMetadata</c> does.</summary>
internal sealed record ResultColumn(
    string Name,
    string TypeName,
    FieldKind Kind,
    int Precision,
    int Scale,
    int Nullable,
    string SchemaName,
    string TableName,
    bool IsSigned,
    bool IsCaseSensitive);

/// <summary>A statement's result, kept whole until the double is disposed. Values are PostgreSQL's text output.</summary>
internal sealed record ResultSet(IReadOnlyList<ResultColumn> Columns, IReadOnlyList<string?[]> Rows, long SizeBytes);
